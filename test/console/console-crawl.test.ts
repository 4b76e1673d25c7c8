import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtp-test-server.js';
import { createProgramFixtures } from '../support/program-fixtures.js';
import { signedInAs, type ConsoleClient } from '../support/console-client.js';
import { CONSOLE_NAV } from '../../ui/console/console-nav.js';

const MAX_PAGES = 250;

/**
 * Follows every console link it finds, from the navigation down, as an admin: each page must
 * render (no server error, a heading and a main landmark), and every navigation link must answer
 * 200. Downloads are fetched but not parsed.
 */
async function crawl(client: ConsoleClient) {
  const queue = CONSOLE_NAV.map((n) => n.href);
  const seen = new Set(queue);
  const problems: string[] = [];
  let visited = 0;
  while (queue.length > 0 && visited < MAX_PAGES) {
    const url = queue.shift()!;
    visited++;
    const res = await client.get(url);
    const isNav = CONSOLE_NAV.some((n) => n.href === url);
    if (res.status >= 500 || (isNav && res.status !== 200)) {
      problems.push(`${url} answered ${res.status}: ${res.text.slice(0, 200)}`);
      continue;
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('text/html')) continue;
    if (res.status === 200 && (!res.text.includes('<main') || !res.text.includes('<h1'))) problems.push(`${url} has no <main> or <h1>`);
    for (const m of res.text.matchAll(/href="(\/ui[^"#]*)"/g)) {
      const link = m[1]!.replaceAll('&amp;', '&');
      if (link.startsWith('/ui/assets') || seen.has(link)) continue;
      seen.add(link);
      queue.push(link);
    }
  }
  return { problems, visited };
}

let h: Harness;
let receiver: LocalReceiver;
let smtp: SmtpTestServer;
beforeAll(async () => {
  h = await createHarness();
  receiver = await startLocalReceiver(() => ({ status: 204 }));
  smtp = await startSmtpTestServer();
});
afterAll(async () => {
  await receiver?.close();
  await smtp?.close();
  await h?.close();
});

describe('every console page renders', () => {
  it('with no data at all', async () => {
    const { client } = await signedInAs(h, 'admin');
    const { problems, visited } = await crawl(client);
    expect(problems).toEqual([]);
    expect(visited).toBeGreaterThanOrEqual(CONSOLE_NAV.length);
  });

  it('with two programs of everything', async () => {
    const fx = createProgramFixtures(h, receiver, smtp);
    await fx.buildProgram('A');
    await fx.buildProgram('B');
    const { client } = await signedInAs(h, 'admin');
    const { problems, visited } = await crawl(client);
    expect(problems).toEqual([]);
    // Detail pages were reached through the lists, not only the navigation.
    expect(visited).toBeGreaterThan(CONSOLE_NAV.length * 2);
  }, 240_000);
});
