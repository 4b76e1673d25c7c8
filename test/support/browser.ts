import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium from the system (Debian's `chromium`), driven by playwright-core. `*.localhost`
 * names resolve to loopback in Chromium, so tests give each site its own hostname (and origin)
 * without touching DNS.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    timeout: 30_000,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--host-resolver-rules=MAP *.localhost 127.0.0.1'],
  });
}
