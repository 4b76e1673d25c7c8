import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
});
afterAll(async () => {
  await h?.close();
});

const eventTypes = async (subjectId: string) =>
  (await h.db.sql`select type from events where subject_id = ${subjectId} order by seq`).map((e) => e.type as string);

/** Follows nextCursor to the end; returns every row's id. */
async function walk(path: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 50; page++) {
    const res = await h.call('GET', `${path}${path.includes('?') ? '&' : '?'}limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.length).toBeLessThanOrEqual(2);
    ids.push(...res.body.data.map((r: { id: string }) => r.id));
    cursor = res.body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error('pagination did not end');
}

describe('members', () => {
  it('list filters by program, email (any case) and externalId, and pages with a cursor', async () => {
    const { program, member } = await programWithMember(h, []);
    const { program: other } = await programWithMember(h, []);
    const created = [member.id];
    for (const [i, email] of ['Bea@Example.com', 'cy@example.com', 'dee@example.com'].entries()) {
      const res = await h.call('POST', '/api/v1/members', { programId: program.id, email, externalId: `crm-${i}-${program.id}` });
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
    const all = await walk(`/api/v1/members?programId=${program.id}`);
    expect(all.sort()).toEqual([...created].sort());
    expect(all).toHaveLength(new Set(all).size);

    const byEmail = await h.call('GET', `/api/v1/members?programId=${program.id}&email=bea@EXAMPLE.com`);
    expect(byEmail.body.data.map((m: { email: string }) => m.email)).toEqual(['Bea@Example.com']);
    const byExternal = await h.call('GET', `/api/v1/members?externalId=crm-2-${program.id}`);
    expect(byExternal.body.data.map((m: { email: string }) => m.email)).toEqual(['dee@example.com']);
    const otherProgram = await h.call('GET', `/api/v1/members?programId=${other.id}`);
    expect(otherProgram.body.data.every((m: { programId: string }) => m.programId === other.id)).toBe(true);
    expect(otherProgram.body.data.map((m: { id: string }) => m.id)).not.toContain(member.id);
  });

  it('patch updates the fields given, logs member.updated, and refuses a taken email, unknown fields and unknown ids', async () => {
    const { program, member } = await programWithMember(h, []);
    const patched = await h.call('PATCH', `/api/v1/members/${member.id}`, {
      lastName: 'Lee',
      externalId: 'crm-9',
      customFields: { tier: 'gold' },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      id: member.id,
      firstName: 'Ann',
      lastName: 'Lee',
      externalId: 'crm-9',
      customFields: { tier: 'gold' },
      referralCode: member.referralCode,
    });
    expect((await h.call('GET', `/api/v1/members/${member.id}`)).body.lastName).toBe('Lee');
    expect(await eventTypes(member.id)).toEqual(['member.created', 'member.updated']);

    const cleared = await h.call('PATCH', `/api/v1/members/${member.id}`, { lastName: null });
    expect(cleared.body.lastName).toBeNull();

    const bea = await h.call('POST', '/api/v1/members', { programId: program.id, email: 'bea@example.com' });
    const taken = await h.call('PATCH', `/api/v1/members/${member.id}`, { email: 'bea@example.com' });
    expect(taken.status).toBe(422);
    expect(taken.body.error.code).toBe('validation_failed');
    expect(taken.body.error.details).toEqual([{ path: 'email', message: 'already used' }]);
    expect((await h.call('GET', `/api/v1/members/${bea.body.id}`)).body.email).toBe('bea@example.com');

    const unknownField = await h.call('PATCH', `/api/v1/members/${member.id}`, { referralCode: 'MINE' });
    expect(unknownField.status).toBe(422);
    expect((await h.call('GET', `/api/v1/members/${member.id}`)).body.referralCode).toBe(member.referralCode);
    expect((await h.call('PATCH', '/api/v1/members/mem_nope', { lastName: 'x' })).status).toBe(404);
  });

  it('delete erases personal data, retires the code, frees the email, and hides the member', async () => {
    const { program, member } = await programWithMember(h, []);
    await h.call('PATCH', `/api/v1/members/${member.id}`, { externalId: 'crm-del', customFields: { phone: '555' } });
    const removed = await h.call('DELETE', `/api/v1/members/${member.id}`);
    expect(removed.status).toBe(204);
    expect((await h.call('GET', `/api/v1/members/${member.id}`)).status).toBe(404);
    expect((await h.call('GET', `/api/v1/members?programId=${program.id}`)).body.data).toEqual([]);
    expect((await h.call('DELETE', `/api/v1/members/${member.id}`)).status).toBe(404);

    const [row] = await h.db.sql`select email, first_name, external_id, custom_fields, deleted_at from members where id = ${member.id}`;
    expect(row).toMatchObject({ email: `deleted+${member.id}@invalid`, first_name: null, external_id: null, custom_fields: {} });
    expect(row!.deleted_at).not.toBeNull();
    const [deleted] = await h.db.sql`select payload from events where subject_id = ${member.id} and type = 'member.deleted'`;
    expect(deleted!.payload).toEqual({ id: member.id, programId: program.id });

    // The retired code attributes nothing any more.
    const click = await h.app.request(`/r/${member.referralCode}`);
    expect(click.status).toBe(302);
    expect(new URL(click.headers.get('location')!).searchParams.get('ref')).toBeNull();
    // The same person can join again, as a new member with a new code.
    const again = await h.call('POST', '/api/v1/members', { programId: program.id, email: member.email });
    expect(again.status).toBe(201);
    expect(again.body.id).not.toBe(member.id);
    expect(again.body.referralCode).not.toBe(member.referralCode);
  });
});

describe('programs', () => {
  it('patch changes fields and replaces the rule set: listed rules updated, new added, missing deactivated', async () => {
    const keep = { name: 'Keep', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 20 }, kind: 'cash' };
    const drop = { name: 'Drop', trigger: 'purchase', recipient: 'member', amount: { type: 'fixed', value: 5 }, kind: 'cash' };
    const { program } = await programWithMember(h, [keep, drop]);
    const [keepRule, dropRule] = program.rewardRules;

    const patched = await h.call('PATCH', `/api/v1/programs/${program.id}`, {
      name: 'Renamed',
      cookieDays: 60,
      status: 'paused',
      rewardRules: [
        { ...keep, id: keepRule.id, amount: { type: 'fixed', value: 25 } },
        { ...drop, name: 'New', trigger: 'qualified' },
      ],
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({
      id: program.id,
      slug: program.slug,
      name: 'Renamed',
      cookieDays: 60,
      status: 'paused',
      currency: 'USD',
    });
    const rules = patched.body.rewardRules;
    expect(rules.find((r: { id: string }) => r.id === keepRule.id)).toMatchObject({
      name: 'Keep',
      amount: { type: 'fixed', value: 25 },
      active: true,
    });
    expect(rules.find((r: { id: string }) => r.id === dropRule.id)).toMatchObject({ name: 'Drop', active: false });
    const added = rules.filter((r: { id: string }) => r.id !== keepRule.id && r.id !== dropRule.id);
    expect(added).toMatchObject([{ name: 'New', trigger: 'qualified', active: true }]);
    expect((await h.call('GET', `/api/v1/programs/${program.id}`)).body).toEqual(patched.body);

    // Fields left out stay as they were.
    const renamed = await h.call('PATCH', `/api/v1/programs/${program.id}`, { name: 'Again' });
    expect(renamed.body).toMatchObject({ name: 'Again', cookieDays: 60, status: 'paused' });
    expect(renamed.body.rewardRules).toHaveLength(3);
  });

  it('patch refuses a rule of another program, unknown fields and unknown programs', async () => {
    const rule = { name: 'R', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 1 }, kind: 'cash' };
    const { program } = await programWithMember(h, [rule]);
    const { program: other } = await programWithMember(h, [rule]);
    const foreign = await h.call('PATCH', `/api/v1/programs/${program.id}`, { rewardRules: [{ ...rule, id: other.rewardRules[0].id }] });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details).toEqual([{ path: 'rewardRules.0.id', message: 'unknown rule' }]);
    // Nothing of the refused rule set was applied.
    expect((await h.call('GET', `/api/v1/programs/${program.id}`)).body.rewardRules).toEqual(program.rewardRules);
    expect((await h.call('GET', `/api/v1/programs/${other.id}`)).body.rewardRules).toEqual(other.rewardRules);
    expect((await h.call('PATCH', `/api/v1/programs/${program.id}`, { slug: 'new-slug' })).status).toBe(422);
    expect((await h.call('PATCH', '/api/v1/programs/prg_nope', { name: 'x' })).status).toBe(404);
  });
});

describe('referrals', () => {
  it('the status filter returns only referrals in that status', async () => {
    const { program, member } = await programWithMember(h, []);
    const [a, b, c] = [
      await convert(h, program.id, member.referralCode),
      await convert(h, program.id, member.referralCode),
      await convert(h, program.id, member.referralCode),
    ];
    expect((await h.call('PATCH', `/api/v1/referrals/${b.id}`, { status: 'qualified' })).status).toBe(200);
    expect((await h.call('PATCH', `/api/v1/referrals/${c.id}`, { status: 'denied' })).status).toBe(200);
    const ids = async (status: string) =>
      (await h.call('GET', `/api/v1/referrals?programId=${program.id}&status=${status}`)).body.data.map((r: { id: string }) => r.id);
    expect(await ids('pending')).toEqual([a.id]);
    expect(await ids('qualified')).toEqual([b.id]);
    expect(await ids('denied')).toEqual([c.id]);
    expect(await ids('approved')).toEqual([]);
    // The filter also holds in update order, the walk sync clients use.
    const since = await h.call('GET', `/api/v1/referrals?programId=${program.id}&status=qualified&updatedSince=2000-01-01T00:00:00Z`);
    expect(since.body.data.map((r: { id: string }) => r.id)).toEqual([b.id]);
    const bad = await h.call('GET', `/api/v1/referrals?status=lost`);
    expect(bad.status).toBe(422);
  });
});

describe('schedules', () => {
  it('list returns every schedule once across pages', async () => {
    const connector = await h.call('POST', '/api/v1/connectors', {
      kind: 'sftp',
      name: 'Partner SFTP',
      settings: { host: '127.0.0.1', port: 22, username: 'partner', directory: '/incoming' },
      secrets: { password: 'pw' },
    });
    expect(connector.status, JSON.stringify(connector.body)).toBe(201);
    const created: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      const res = await h.call('POST', '/api/v1/schedules', {
        name,
        connectorId: connector.body.id,
        every: '24h',
        paused: true,
        fields: [{ target: 'Email', source: 'referral.email' }],
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      created.push(res.body.id);
    }
    const listed = await walk('/api/v1/schedules');
    expect(listed.sort()).toEqual([...created].sort());
    const first = await h.call('GET', '/api/v1/schedules?limit=1');
    expect(first.body.data[0]).toMatchObject({ name: 'three', connectorId: connector.body.id, every: '24h', paused: true });
    for (const id of created) expect((await h.call('DELETE', `/api/v1/schedules/${id}`)).status).toBe(204);
    expect((await h.call('GET', '/api/v1/schedules')).body.data).toEqual([]);
  });
});
