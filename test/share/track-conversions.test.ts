import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { countOf, track, trackingProgram } from '../support/track-client.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

let n = 0;
const email = () => `friend-${Date.now().toString(36)}${(n++).toString(36)}@example.com`;
const referralRow = async (id: string) => (await h.db.sql`select * from referrals where id = ${id}`)[0]!;

describe('POST /api/v1/track/conversion', () => {
  it('records a pending web referral attributed to the code, 201 with its id only; the same email again is 200 with the same id', async () => {
    const p = await trackingProgram(h);
    const who = email();
    const res = await track(h, 'conversion', {
      key: p.key,
      code: p.code,
      email: who,
      firstName: 'Bob',
      lastName: 'Lee',
      phone: '+1 555 0100',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(Object.keys(res.body)).toEqual(['referralId']);
    expect(await referralRow(res.body.referralId)).toMatchObject({
      program_id: p.program.id,
      member_id: p.member.id,
      email: who,
      first_name: 'Bob',
      status: 'pending',
      source: 'web',
      amount: null,
    });
    const again = await track(h, 'conversion', { key: p.key, code: p.code, email: who.toUpperCase() });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ referralId: res.body.referralId });
    expect(await countOf(h, 'referrals', p.member.id)).toBe(1);
    // The event the lifecycle and connectors read was written with it.
    const events = await h.db.sql`select type from events where subject_id = ${res.body.referralId}`;
    expect(events.map((e) => e.type)).toEqual(['referral.created']);
  });

  it('a text/plain body (sendBeacon) is read as JSON', async () => {
    const p = await trackingProgram(h);
    const res = await track(h, 'conversion', JSON.stringify({ key: p.key, code: p.code, email: email() }), {
      contentType: 'text/plain;charset=UTF-8',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  it('the browser’s amount and currency never reach the referral’s amount (percent rewards are paid on it): they are kept as reported values', async () => {
    const p = await trackingProgram(h);
    const res = await track(h, 'conversion', { key: p.key, code: p.code, email: email(), amount: 99999, currency: 'EUR' });
    expect(res.status).toBe(201);
    const row = await referralRow(res.body.referralId);
    expect(row.amount).toBeNull();
    expect(row.currency).toBeNull();
    expect(row.status).toBe('pending');
    expect(row.custom_fields).toEqual({ reportedAmount: 99999, reportedCurrency: 'EUR' });
    // Nor may the browser pick a status or a source.
    for (const extra of [{ status: 'approved' }, { source: 'api' }, { customFields: { vip: true } }, { programId: 'prg_x' }]) {
      const bad = await track(h, 'conversion', { key: p.key, code: p.code, email: email(), ...extra });
      expect(bad.status, JSON.stringify(extra)).toBe(422);
    }
  });

  it('orderId makes it idempotent: the same order again answers the first referral with 200, even with another email', async () => {
    const p = await trackingProgram(h);
    const first = await track(h, 'conversion', { key: p.key, code: p.code, email: email(), orderId: 'order-1001' });
    expect(first.status).toBe(201);
    const repeat = await track(h, 'conversion', { key: p.key, code: p.code, email: email(), orderId: 'order-1001' });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual({ referralId: first.body.referralId });
    const otherOrder = await track(h, 'conversion', { key: p.key, code: p.code, email: email(), orderId: 'order-1002' });
    expect(otherOrder.status).toBe(201);
    expect(await countOf(h, 'referrals', p.member.id)).toBe(2);
    expect((await referralRow(first.body.referralId)).order_id).toBe('order-1001');
  });

  it('the same order sent ten times at once, each with another email, makes one referral', async () => {
    const p = await trackingProgram(h);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => track(h, 'conversion', { key: p.key, code: p.code, email: email(), orderId: 'order-race' })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => a.body.referralId)).size).toBe(1);
    expect(await countOf(h, 'referrals', p.member.id)).toBe(1);
  });

  it('order ids are per program: another program may use the same one', async () => {
    const a = await trackingProgram(h);
    const b = await trackingProgram(h);
    const inA = await track(h, 'conversion', { key: a.key, code: a.code, email: email(), orderId: 'shared-order' });
    const inB = await track(h, 'conversion', { key: b.key, code: b.code, email: email(), orderId: 'shared-order' });
    expect([inA.status, inB.status]).toEqual([201, 201]);
    expect(inA.body.referralId).not.toBe(inB.body.referralId);
  });

  it('webConversions off (the default) → 403 forbidden, nothing recorded; turned on, accepted', async () => {
    const p = await trackingProgram(h, { webConversions: false });
    const res = await track(h, 'conversion', { key: p.key, code: p.code, email: email() });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('forbidden');
    expect(await countOf(h, 'referrals', p.member.id)).toBe(0);
    // Clicks are still tracked: only conversions need the setting.
    expect((await track(h, 'click', { key: p.key, code: p.code })).status).toBe(200);
    const unset = await trackingProgram(h, { webConversions: undefined });
    expect(unset.program.share.webConversions).toBe(false);
    expect((await track(h, 'conversion', { key: unset.key, code: unset.code, email: email() })).status).toBe(403);
    await h.call('PATCH', `/api/v1/programs/${p.program.id}`, { share: { webConversions: true } });
    expect((await track(h, 'conversion', { key: p.key, code: p.code, email: email() })).status).toBe(201);
  });

  it('the rh_vid cookie is the visitor: stored with the referral, and the member’s own browser is refused as a self-referral', async () => {
    const p = await trackingProgram(h);
    const res = await track(h, 'conversion', { key: p.key, code: p.code, email: email() }, { cookie: 'rh_vid=friend-browser-01' });
    expect(res.status).toBe(201);
    expect((await referralRow(res.body.referralId)).visitor_id).toBe('friend-browser-01');

    // A member who joined from their own browser (referral.js sends its visitor id with the sign-up).
    const joined = await h.call('POST', '/api/v1/members', { programId: p.program.id, email: email(), visitorId: 'member-own-browser' });
    expect(joined.status).toBe(201);
    const self = await track(
      h,
      'conversion',
      { key: p.key, code: joined.body.referralCode, email: email() },
      { cookie: 'rh_vid=member-own-browser' },
    );
    expect(self.status).toBe(422);
    expect(self.body.error.code).toBe('self_referral');
    const ownEmail = await track(h, 'conversion', { key: p.key, code: p.code, email: p.member.email });
    expect(ownEmail.body.error.code).toBe('self_referral');
    expect(await countOf(h, 'referrals', p.member.id)).toBe(1);
    expect(await countOf(h, 'referrals', joined.body.id)).toBe(0);
  });

  it('an unknown code is 422 on `code`', async () => {
    const p = await trackingProgram(h);
    const res = await track(h, 'conversion', { key: p.key, code: 'NOSUCHCODE', email: email() });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual([expect.objectContaining({ path: 'code' })]);
  });
});
