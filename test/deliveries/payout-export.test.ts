import { afterAll, beforeAll, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, TEST_ADMIN_KEY, waitFor, type Harness } from '../support/hub-harness.js';
import { parseCsv } from '../support/schedule-helpers.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness(); // with its worker: rewards, and so payouts, come from the lifecycle workflow
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const MEMBER_CASH = {
  name: 'Referrer cash',
  trigger: 'conversion',
  recipient: 'member',
  amount: { type: 'fixed', value: 20 },
  kind: 'cash',
};
const FRIEND_CASH = {
  name: 'Friend cash',
  trigger: 'conversion',
  recipient: 'referral',
  amount: { type: 'fixed', value: 5.5 },
  kind: 'cash',
};

async function exportCsv(path: string, key = TEST_ADMIN_KEY) {
  const res = await h.app.request(path, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, text: await res.text() };
}

/** The program's payouts once there are `n` of them, each in one of `statuses`. */
async function payoutsOf(programId: string, n: number, statuses: string[]): Promise<any[]> {
  return waitFor(
    async () => {
      const list = await h.call('GET', `/api/v1/payouts?programId=${programId}`);
      const data: any[] = list.body.data;
      return data.length === n && data.every((p) => statuses.includes(p.status)) ? data : undefined;
    },
    30_000,
    `${n} payouts of ${programId} in ${statuses.join('/')}`,
  );
}

/**
 * Program A pays by hand (manual connector): one conversion gives its member $20 (to their
 * PayPal address) and the referred friend $5.50, both waiting as `sent` for ops. Program B has
 * no payout connector, so its payout waits for one.
 */
async function twoPrograms() {
  const a = await programWithMember(h, [MEMBER_CASH, FRIEND_CASH]);
  const patched = await h.call('PATCH', `/api/v1/members/${a.member.id}`, {
    payoutDetails: { paypalEmail: 'ann.pays@paypal.test' },
    customFields: { iban: 'DE89370400440532013000' },
  });
  expect(patched.status, JSON.stringify(patched.body)).toBe(200);
  const manual = await h.call('POST', '/api/v1/connectors', {
    kind: 'manual',
    name: 'Paid by hand',
    settings: { rewardKinds: ['cash'] },
    secrets: {},
    programIds: [a.program.id],
  });
  expect(manual.status, JSON.stringify(manual.body)).toBe(201);
  const b = await programWithMember(h, [MEMBER_CASH]);
  const friend = await convert(h, a.program.id, a.member.referralCode);
  await convert(h, b.program.id, b.member.referralCode);
  const aPayouts = await payoutsOf(a.program.id, 2, ['sent']);
  const [bPayout] = await payoutsOf(b.program.id, 1, ['waiting_provider']);
  const toMember = aPayouts.find((p) => p.recipientReferralId === null)!;
  const toFriend = aPayouts.find((p) => p.recipientReferralId === friend.id)!;
  expect(toMember && toFriend, JSON.stringify(aPayouts)).toBeTruthy();
  return { a, b, friend, toMember, toFriend, bPayout };
}

const byId = (rows: string[][]) => new Map(rows.slice(1).map((r) => [r[0], r]));

it('payouts.csv by default says whom to pay, at which address, how much and where it stands; a program-limited key gets only its programs', async () => {
  const { a, b, friend, toMember, toFriend, bPayout } = await twoPrograms();

  const res = await h.app.request(`/api/v1/exports/payouts.csv?programId=${a.program.id}`, {
    headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` },
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="payouts-\d{4}-\d{2}-\d{2}\.csv"$/);
  const rows = parseCsv(await res.text());
  expect(rows[0]).toEqual([
    'id',
    'programId',
    'memberId',
    'member.email',
    'recipientReferralId',
    'recipientEmail',
    'paypalEmail',
    'amount',
    'currency',
    'rewardKind',
    'status',
    'provider',
    'providerReference',
    'createdAt',
  ]);
  expect(rows).toHaveLength(3);
  const m = a.member;
  expect(byId(rows).get(toMember.id)).toEqual([
    toMember.id,
    a.program.id,
    m.id,
    m.email,
    '',
    m.email,
    'ann.pays@paypal.test',
    '20',
    'USD',
    'cash',
    'sent',
    'manual',
    '',
    toMember.createdAt,
  ]);
  // The friend is paid, not the member: their address, and never the member's PayPal one.
  expect(byId(rows).get(toFriend.id)).toEqual([
    toFriend.id,
    a.program.id,
    m.id,
    m.email,
    friend.id,
    friend.email,
    '',
    '5.5',
    'USD',
    'cash',
    'sent',
    'manual',
    '',
    toFriend.createdAt,
  ]);

  // Every program for the admin key; only program A for a key limited to it, on both paths.
  const all = byId(parseCsv((await exportCsv('/api/v1/exports/payouts.csv')).text));
  expect(all.get(bPayout.id)?.slice(0, 3)).toEqual([bPayout.id, b.program.id, b.member.id]);
  const limited = await h.call('POST', '/api/v1/api-keys', { name: 'A only', scopes: ['read'], programIds: [a.program.id] });
  expect(limited.status, JSON.stringify(limited.body)).toBe(201);
  for (const fields of ['id,programId', 'id,programId,member.customFields.iban']) {
    const seen = parseCsv((await exportCsv(`/api/v1/exports/payouts.csv?fields=${fields}`, limited.body.key)).text).slice(1);
    expect(new Set(seen.map((r) => r[1]))).toEqual(new Set([a.program.id]));
    expect(seen.map((r) => r[0]).sort()).toEqual([toMember.id, toFriend.id].sort());
  }
  const other = await exportCsv(`/api/v1/exports/payouts.csv?programId=${b.program.id}`, limited.body.key);
  expect(other.status).toBe(403);
  expect(other.text).not.toContain(bPayout.id);
}, 60_000);

it('status filters what is still to pay, on the COPY path and the mapping path; an unknown status is a 422', async () => {
  const { a, toMember, toFriend } = await twoPrograms();
  const paid = await h.call('POST', `/api/v1/payouts/${toMember.id}/mark-paid`, { reference: 'SEPA-2025-0042' });
  expect(paid.status, JSON.stringify(paid.body)).toBe(200);

  const base = `/api/v1/exports/payouts.csv?programId=${a.program.id}`;
  const idsOf = async (query: string) =>
    parseCsv((await exportCsv(`${base}${query}`)).text)
      .slice(1)
      .map((r) => r[0])
      .sort();
  expect(await idsOf('&status=sent')).toEqual([toFriend.id]);
  expect(await idsOf('&status=sent&status=sending')).toEqual([toFriend.id]);
  expect(await idsOf('&status=sent&status=paid')).toEqual([toMember.id, toFriend.id].sort());
  expect(await idsOf('&status=paid&fields=id,member.customFields.iban')).toEqual([toMember.id]);
  expect(await idsOf('&status=failed&fields=id,member.customFields.iban')).toEqual([]);

  for (const fields of ['', '&fields=id,member.customFields.iban']) {
    for (const status of ['unpaid', "sent') or true --", 'SENT']) {
      const bad = await h.call('GET', `${base}${fields}&${new URLSearchParams({ status })}`);
      expect(bad.status).toBe(422);
      expect(bad.body.error.details).toEqual([expect.objectContaining({ path: 'status' })]);
    }
  }
  // Referrals and rewards take it too, with their own statuses.
  expect((await exportCsv(`/api/v1/exports/referrals.csv?programId=${a.program.id}&status=denied`)).text).toBe(
    'id,programId,memberId,email,firstName,lastName,status,source,createdAt\r\n',
  );
  const paidRewards = parseCsv((await exportCsv(`/api/v1/exports/rewards.csv?programId=${a.program.id}&status=paid&fields=status`)).text);
  expect(paidRewards).toEqual([['status'], ['paid']]);
}, 60_000);

it('both export paths write the same payout fields, formula-guarded alike', async () => {
  const { a, toMember, toFriend } = await twoPrograms();
  // An ops-typed reference that a spreadsheet would run.
  expect((await h.call('POST', `/api/v1/payouts/${toMember.id}/mark-paid`, { reference: '=HYPERLINK("x")' })).status).toBe(200);
  const plain =
    'id,programId,memberId,recipientReferralId,recipientEmail,paypalEmail,connectorId,provider,amount,currency,rewardKind,status,' +
    'holdReason,rewardIds,providerReference,failureReason,failureCode,attempts,sentAt,paidAt,createdAt,updatedAt,' +
    'member.id,member.email,member.firstName,member.referralCode';
  const copied = parseCsv((await exportCsv(`/api/v1/exports/payouts.csv?programId=${a.program.id}&fields=${plain}`)).text);
  // One field the COPY path does not know sends the export through the cursor and mapping engine.
  const mapped = parseCsv(
    (await exportCsv(`/api/v1/exports/payouts.csv?programId=${a.program.id}&fields=${plain},member.customFields.iban`)).text,
  );
  expect(mapped.map((r) => r.slice(0, -1))).toEqual(copied);
  expect(mapped.slice(1).map((r) => r.at(-1))).toEqual(['DE89370400440532013000', 'DE89370400440532013000']);

  const row = byId(copied).get(toMember.id)!;
  const cell = (name: string) => row[copied[0]!.indexOf(name)];
  expect(cell('providerReference')).toBe(`'=HYPERLINK("x")`);
  expect(cell('status')).toBe('paid');
  expect(cell('rewardIds')).toBe(JSON.stringify(toMember.rewardIds));
  expect(cell('attempts')).toBe('1');
  expect(cell('paidAt')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  expect(cell('member.firstName')).toBe('Ann');
  expect(byId(copied).get(toFriend.id)![copied[0]!.indexOf('paidAt')]).toBe('');
}, 60_000);

it('payouts cannot be scheduled: the schedule is refused with a reason and a pointer to the export', async () => {
  const res = await h.call('POST', '/api/v1/schedules', {
    name: 'Payouts nightly',
    connectorId: 'con_any',
    resource: 'payouts',
    every: '24h',
    fields: [{ target: 'id', source: 'payout.id' }],
  });
  expect(res.status).toBe(422);
  expect(res.body.error.code).toBe('validation_failed');
  expect(res.body.error.details).toEqual([
    expect.objectContaining({ path: 'resource', message: expect.stringMatching(/^payouts cannot be scheduled: .*exports\/payouts\.csv$/) }),
  ]);
  // Another unknown resource still gets the plain list of options.
  const other = await h.call('POST', '/api/v1/schedules', {
    name: 'x',
    connectorId: 'con_any',
    resource: 'clicks',
    every: '24h',
    fields: [{ target: 'id', source: 'referral.id' }],
  });
  expect(other.body.error.details).toEqual([expect.objectContaining({ path: 'resource', message: expect.stringContaining('rewards') })]);
});
