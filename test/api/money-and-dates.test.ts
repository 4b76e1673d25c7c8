import { afterAll, beforeAll, expect, it } from 'vitest';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

let h: Harness;
let programId: string;
let referralCode: string;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  const { program, member } = await programWithMember(h, []);
  programId = program.id;
  referralCode = member.referralCode;
  expect((await h.call('POST', '/api/v1/conversions', { programId, referralCode, email: 'buyer@example.com' })).status).toBe(201);
});
afterAll(async () => {
  await h?.close();
});

let n = 0;
const conversion = (extra: Record<string, unknown>) =>
  h.call('POST', '/api/v1/conversions', { programId, referralCode, email: `buyer-${n++}@example.com`, ...extra });
const event = (extra: Record<string, unknown>) =>
  h.call('POST', '/api/v1/events', {
    programId,
    referral: { email: 'buyer@example.com' },
    type: 'purchase',
    idempotencyKey: `k-${n++}`,
    ...extra,
  });

function refused(res: { status: number; body: any }, path: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(422);
  expect(res.body.error.code).toBe('validation_failed');
  expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
}

it('currencies must be ISO 4217 codes, on programs, conversions and events', async () => {
  const program = (currency: string) =>
    h.call('POST', '/api/v1/programs', { name: 'C', slug: `c-${n++}`, landingUrl: 'https://acme.example', currency });
  for (const bad of ['ABC', 'XYZ', 'usd', 'US']) {
    refused(await program(bad), 'currency');
    refused(await h.call('PATCH', `/api/v1/programs/${programId}`, { currency: bad }), 'currency');
    refused(await conversion({ amount: 10, currency: bad }), 'currency');
    refused(await event({ amount: 10, currency: bad }), 'currency');
  }
  for (const good of ['EUR', 'JPY', 'CHF']) expect((await program(good)).status).toBe(201);
  expect((await conversion({ amount: 10, currency: 'GBP' })).status).toBe(201);
  expect((await event({ amount: 10, currency: 'GBP' })).status).toBe(202);
});

it('amounts are finite, non-negative, at most 1e9 and have at most 4 decimals', async () => {
  for (const bad of [-0.01, 1e9 + 1, 1e12, 1.23456, 0.00001]) {
    refused(await conversion({ amount: bad }), 'amount');
    refused(await event({ amount: bad }), 'amount');
  }
  // Non-finite numbers cannot be written in JSON; a huge exponent becomes Infinity when parsed.
  refused(
    await h.call(
      'POST',
      '/api/v1/events',
      `{"programId":"${programId}","referral":{"email":"buyer@example.com"},"type":"purchase","amount":1e400}`,
    ),
    'amount',
  );
  for (const good of [0, 12.3456, 1e9]) {
    const res = await conversion({ amount: good });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.amount).toBe(good);
    expect((await event({ amount: good })).status).toBe(202);
  }
  const rule = (amount: unknown) => ({ name: 'r', trigger: 'conversion', recipient: 'member', amount, kind: 'cash' });
  refused(
    await h.call('PATCH', `/api/v1/programs/${programId}`, { rewardRules: [rule({ type: 'fixed', value: 0.00001 })] }),
    'rewardRules.0.amount.value',
  );
  refused(
    await h.call('PATCH', `/api/v1/programs/${programId}`, { rewardRules: [rule({ type: 'percent', value: 10, cap: 2e9 })] }),
    'rewardRules.0.amount.cap',
  );
  expect((await h.call('PATCH', `/api/v1/programs/${programId}`, { rewardRules: [rule({ type: 'fixed', value: 19.99 })] })).status).toBe(
    200,
  );
});

it('occurredAt lies between 2000-01-01 and a day from now', async () => {
  const day = 86_400_000;
  for (const bad of [
    '1999-12-31T23:59:59Z',
    '1970-01-01T00:00:00Z',
    new Date(Date.now() + 2 * day).toISOString(),
    '2024-02-30T10:00:00Z',
  ]) {
    refused(await event({ occurredAt: bad }), 'occurredAt');
  }
  for (const good of [
    '2000-01-01T00:00:00Z',
    '2024-02-29T10:00:00+02:00',
    new Date().toISOString(),
    new Date(Date.now() + day / 2).toISOString(),
  ]) {
    const res = await event({ occurredAt: good });
    expect(res.status, `${good}: ${JSON.stringify(res.body)}`).toBe(202);
  }
});
