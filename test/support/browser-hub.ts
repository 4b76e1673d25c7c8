import type { Server as HttpServer } from 'node:http';
import { createServer } from 'node:net';
import { serve } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { createHarness, type Harness } from './hub-harness.js';

// A person's browser: headless Chromium says so in its user agent, and the hub does not count robots' clicks.
const USER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

export interface BrowserHub {
  h: Harness;
  /** http://hub.localhost:<port>: the hub's public URL, so links it hands out open in the browser. */
  url: string;
  /** The hub on loopback, for a proxy in front of it. */
  loopbackUrl: string;
  close(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** A test hub served over HTTP at http://hub.localhost:<port>, its public URL. */
export async function startBrowserHub(): Promise<BrowserHub> {
  const port = await freePort();
  const url = `http://hub.localhost:${port}`;
  const h = await createHarness({ publicUrl: url });
  const server = await new Promise<HttpServer>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s as HttpServer));
  });
  return {
    h,
    url,
    loopbackUrl: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await h.close();
    },
  };
}

/** Runs `run` in a fresh browser context (its own cookies) with a person's user agent. */
export async function withPage<T>(browser: Browser, run: (p: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ userAgent: USER_AGENT });
  try {
    return await run(await context.newPage());
  } finally {
    await context.close();
  }
}
