import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../lib/ids.js';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { signedInAs, type ConsoleClient } from '../support/console-client.js';
import { createConnector, waitForPayout } from '../support/payout-fixtures.js';

let h: Harness;
let admin: ConsoleClient;
let limited: ConsoleClient;
let viewer: ConsoleClient;
let a: { program: any; member: any };
let b: { program: any; member: any };
let emptyPage = '';
const today = new Date().toISOString().slice(0, 10);

const cashRule = [{ name: 'Ten cash', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 10 }, kind: 'cash' }];

/** The row of the per-day table for one day: [conversions, rewards, payouts]. */
const dayRow = (html: string, day: string) => {
  const m = new RegExp(`<td>${day}</td><td class="num">(\\d+)</td><td class="num">(\\d+)</td><td class="num">(\\d+)</td>`).exec(html);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
};

/** A schedule for these programs with one finished run (schedules deliver files; the run is its record). */
async function scheduleWithRun(name: string, connectorId: string, programIds: string[], status: string, lastError: string | null) {
  const id = newId('sch');
  await h.db.sql`insert into schedules (id, name, connector_id, program_ids, every, file_name, fields)
                 values (${id}, ${name}, ${connectorId}, ${programIds}, '1h', 'out.csv', '[]'::jsonb)`;
  await h.db
    .sql`insert into schedule_runs (id, schedule_id, status, from_txid, from_seq, to_txid, file_name, record_count, last_error, finished_at)
                 values (${newId('run')}, ${id}, ${status}, '0'::xid8, 0, '1'::xid8, 'out.csv', 4, ${lastError}, now())`;
  return id;
}

beforeAll(async () => {
  h = await createHarness();
  ({ client: admin } = await signedInAs(h, 'admin'));
  emptyPage = (await admin.get('/ui')).text;

  await createConnector(h, { kind: 'manual', name: 'Bank transfers', settings: { rewardKinds: ['cash'] } });
  a = await programWithMember(h, cashRule);
  b = await programWithMember(h, cashRule);
  await convert(h, a.program.id, a.member.referralCode);
  await convert(h, a.program.id, a.member.referralCode);
  await convert(h, b.program.id, b.member.referralCode);
  await waitForPayout(h, a.member.id, () => true);
  await waitForPayout(h, b.member.id, () => true);

  // Connectors that need attention: one of A's turned off, one of B's failing.
  const offA = await createConnector(h, {
    kind: 'manual',
    name: 'Coupons of A',
    settings: { rewardKinds: ['coupon'] },
    programIds: [a.program.id],
  });
  const failingB = await createConnector(h, {
    kind: 'manual',
    name: 'Points of B',
    settings: { rewardKinds: ['points'] },
    programIds: [b.program.id],
  });
  await h.db.sql`update connectors set enabled = false where id = ${offA.id}`;
  await h.db.sql`update connectors set status = 'failing', status_reason = 'HTTP 503 from the provider' where id = ${failingB.id}`;
  await scheduleWithRun('Nightly A', offA.id, [a.program.id], 'succeeded', null);
  await scheduleWithRun('Nightly B', failingB.id, [b.program.id], 'failed', 'SFTP login refused');

  ({ client: limited } = await signedInAs(h, 'editor', { programIds: [a.program.id] }));
  ({ client: viewer } = await signedInAs(h, 'viewer'));
}, 120_000);
afterAll(async () => {
  await h?.close();
});

describe('the console dashboard', () => {
  it('renders with nothing yet: zeros, an accessible chart, no connector or run trouble', () => {
    expect(emptyPage).toContain('<h1>Dashboard</h1>');
    expect(dayRow(emptyPage, today)).toEqual([0, 0, 0]);
    expect(emptyPage).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="activity-chart-title activity-chart-desc"/);
    expect(emptyPage).toContain('<title id="activity-chart-title">Conversions, rewards and payouts per day, last 30 days</title>');
    expect(emptyPage).toMatch(/<desc id="activity-chart-desc">From \d{4}-\d\d-\d\d to today: 0 conversions, 0 rewards and 0 payouts/);
    expect(emptyPage).toContain('Every connector is working.');
    expect(emptyPage).toContain('No schedule has run yet.');
    expect((emptyPage.match(/<tr><td>\d{4}-\d\d-\d\d<\/td>/g) ?? []).length).toBe(30);
  });

  it('shows conversions, rewards and payouts per day, the connectors and runs needing a look, dispatch and Temporal links', async () => {
    const res = await admin.get('/ui');
    expect(res.status).toBe(200);
    expect(dayRow(res.text, today)).toEqual([3, 3, 3]);
    expect(res.text).toContain('Worth 30 USD');
    expect(res.text).toMatch(/<desc id="activity-chart-desc">[^<]*3 conversions, 3 rewards and 3 payouts/);
    expect(res.text).toMatch(/<polyline points="[^"]+" fill="none" stroke="#1d47b8"/);

    expect(res.text).toMatch(/href="\/ui\/connectors\/con_\w+">Coupons of A</);
    expect(res.text).toMatch(/href="\/ui\/connectors\/con_\w+">Points of B</);
    expect(res.text).toContain('HTTP 503 from the provider');
    expect(res.text).toContain('turned off');
    expect(res.text).not.toContain('>Bank transfers<');

    expect(res.text).toMatch(/href="\/ui\/schedules\/sch_\w+">Nightly A</);
    expect(res.text).toMatch(/href="\/ui\/schedules\/sch_\w+">Nightly B</);
    expect(res.text).toContain('SFTP login refused');

    expect(res.text).toContain('Lifecycle dispatcher');
    expect(res.text).toContain('Undispatched events');
    expect(res.text).toContain('href="http://temporal-ui.test/namespaces/default/workflows"');
    expect(res.text).toContain(
      `href="http://temporal-ui.test/namespaces/default/workflows?query=${encodeURIComponent('ExecutionStatus="Failed"')}"`,
    );
  });

  it('a user limited to program A sees only A: its numbers, connectors and schedule runs', async () => {
    const res = await limited.get('/ui');
    expect(res.status).toBe(200);
    expect(dayRow(res.text, today)).toEqual([2, 2, 2]);
    expect(res.text).toContain('Worth 20 USD');
    expect(res.text).toContain('Coupons of A');
    expect(res.text).not.toContain('Points of B');
    expect(res.text).not.toContain('HTTP 503');
    expect(res.text).toContain('Nightly A');
    expect(res.text).not.toContain('Nightly B');
    expect(res.text).not.toContain('SFTP login refused');
    // The backlog is counted over every program: a limited user sees only whether it lags.
    expect(res.text).not.toContain('Undispatched events');
  });

  it('a viewer reads the dashboard, which has nothing to change', async () => {
    const res = await viewer.get('/ui');
    expect(res.status).toBe(200);
    expect(dayRow(res.text, today)).toEqual([3, 3, 3]);
    expect(res.text).not.toMatch(/<form method="post" action="\/ui/);
  });

  it('counts only the last 30 days', async () => {
    const [oldest] = await h.db.sql<{ id: string }[]>`select id from referrals where program_id = ${b.program.id}`;
    await h.db.sql`update referrals set created_at = now() - interval '40 days' where id = ${oldest!.id}`;
    const res = await admin.get('/ui');
    expect(dayRow(res.text, today)).toEqual([2, 3, 3]);
    expect(res.text).toMatch(/<desc id="activity-chart-desc">[^<]*2 conversions/);
  });
});
