import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUserCli } from '../../hub/console/user-cli.js';
import { createUserService } from '../../hub/console/user-service.js';
import { programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';
import { ConsoleClient, signedInAs } from '../support/console-client.js';

let h: Harness;
let admin: ConsoleClient;
let adminId: string;
let editor: ConsoleClient;
let limitedAdmin: ConsoleClient;
let programA: { id: string };
let programB: { id: string };

beforeAll(async () => {
  h = await createHarness({ worker: false });
  programA = (await programWithMember(h, [])).program;
  programB = (await programWithMember(h, [])).program;
  const [a, e, l] = await Promise.all([
    signedInAs(h, 'admin', { email: 'boss@example.com' }),
    signedInAs(h, 'editor'),
    signedInAs(h, 'admin', { programIds: [programA.id] }),
  ]);
  [admin, adminId, editor, limitedAdmin] = [a.client, a.user.id, e.client, l.client];
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const apiWith = (key: string) => h.app.request('/api/v1/me', { headers: { authorization: `Bearer ${key}` } });

describe('API keys page', () => {
  it('is for admins only: an editor gets 403 on the page and on its forms', async () => {
    expect((await editor.get('/ui/api-keys')).status).toBe(403);
    expect((await editor.post('/ui/api-keys', { name: 'x', scopes: 'read' })).status).toBe(403);
    expect((await editor.get('/ui')).text).not.toContain('href="/ui/api-keys"');
  });

  it('creates a key shown once, usable against the API, never shown again; revokes it', async () => {
    const empty = await admin.get('/ui/api-keys');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('No API keys yet.');
    const created = await admin.post('/ui/api-keys', { name: 'Zapier', scopes: ['read', 'write'], programIds: programA.id });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBeNull();
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.headers.getSetCookie().join(';')).not.toMatch(/rh_flash/);
    const key = /id="new-key" type="text" readonly="" value="(rh_[^"]+)"/.exec(created.text)?.[1];
    expect(key, created.text.slice(0, 3000)).toBeDefined();
    const me = await apiWith(key!);
    expect(me.status).toBe(200);
    expect((await me.json()).apiKey).toMatchObject({ name: 'Zapier', scopes: ['read', 'write'], programIds: [programA.id] });

    const list = await admin.get('/ui/api-keys');
    expect(list.text).toContain('Zapier');
    expect(list.text).toContain(`${key!.slice(0, 10)}…`);
    expect(list.text).toContain(programA.id);
    for (const page of ['/ui/api-keys', '/ui', '/ui/users', '/ui/schedules']) expect((await admin.get(page)).text).not.toContain(key!);
    const [row] = await h.db.sql<{ id: string; last_used_at: Date | null }[]>`select id, last_used_at from api_keys where name = 'Zapier'`;

    const revoked = await admin.post(`/ui/api-keys/${row!.id}/revoke`);
    expect(revoked.status).toBe(303);
    const after = await admin.get('/ui/api-keys');
    expect(after.text).toContain('API key revoked');
    expect(after.text).toContain('>revoked</span>');
    expect((await apiWith(key!)).status).toBe(401);
  });

  it('shows what the API refuses next to the fields, with 422', async () => {
    const res = await admin.post('/ui/api-keys', { name: '' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/id="f-name-error"/);
    expect(res.text).toMatch(/id="scopes-error"/);
  });

  it('lets an admin limited to program A create keys only within A', async () => {
    const outside = await limitedAdmin.post('/ui/api-keys', { name: 'B key', scopes: 'read', programIds: programB.id });
    expect(outside.status).toBe(403);
    expect(outside.text).toContain('limited to programs');
    const everything = await limitedAdmin.post('/ui/api-keys', { name: 'All key', scopes: 'read' });
    expect(everything.status).toBe(403);
    const inside = await limitedAdmin.post('/ui/api-keys', { name: 'A key', scopes: 'read', programIds: programA.id });
    expect(inside.status).toBe(201);
    const list = await limitedAdmin.get('/ui/api-keys');
    expect(list.text).toContain('A key');
    expect(list.text).not.toContain('B key');
    const [count] = await h.db.sql<{ n: number }[]>`select count(*)::int as n from api_keys where name in ('B key', 'All key')`;
    expect(count!.n).toBe(0);
  });
});

describe('users page', () => {
  it('is for admins only', async () => {
    expect((await editor.get('/ui/users')).status).toBe(403);
    expect((await editor.post('/ui/users', { email: 'x@example.com', role: 'admin' })).status).toBe(403);
  });

  it('adds a user with a one-time setup link, changes role and programs, sends a reset link, removes', async () => {
    const list = await admin.get('/ui/users');
    expect(list.status).toBe(200);
    expect(list.text).toContain('boss@example.com (you)');
    expect((await admin.get('/ui/users/new')).status).toBe(200);

    const added = await admin.post('/ui/users', { email: 'new@example.com', name: 'Nia', role: 'editor', programIds: programA.id });
    expect(added.status).toBe(201);
    expect(added.headers.getSetCookie().join(';')).not.toMatch(/rh_flash/);
    const link = /id="setup-link" type="text" readonly="" value="([^"]+)"/.exec(added.text)?.[1];
    expect(link).toMatch(/\/setup\/[\w-]+$/);
    const users = createUserService(h.db.db);
    const user = (await users.findByEmail('new@example.com'))!;
    expect(user).toMatchObject({ name: 'Nia', role: 'editor', programIds: [programA.id], passwordHash: null });
    expect(await users.setupTokenValid(link!.split('/setup/')[1]!)).toEqual({ userId: user.id });
    expect((await admin.get('/ui/users')).text).not.toContain(link!);

    const dup = await admin.post('/ui/users', { email: 'new@example.com', role: 'viewer' });
    expect(dup.status).toBe(409);
    expect(dup.text).toMatch(/id="f-email-error">A user with this email exists/);
    const bad = await admin.post('/ui/users', { email: 'not-an-email', role: 'viewer' });
    expect(bad.status).toBe(422);
    expect(bad.text).toMatch(/id="f-email-error">Enter an email address/);

    const edit = await admin.get(`/ui/users/${user.id}/edit`);
    expect(edit.status).toBe(200);
    const saved = await admin.post(`/ui/users/${user.id}`, { name: 'Nia B', role: 'viewer', programIds: [programA.id, programB.id] });
    expect(saved.status).toBe(303);
    expect(await users.get(user.id)).toMatchObject({ name: 'Nia B', role: 'viewer', programIds: [programA.id, programB.id] });

    const reset = await admin.post(`/ui/users/${user.id}/reset`);
    expect(reset.status).toBe(200);
    const resetLink = /id="setup-link" type="text" readonly="" value="([^"]+)"/.exec(reset.text)?.[1];
    expect(await users.setupTokenValid(resetLink!.split('/setup/')[1]!)).toEqual({ userId: user.id });

    const removed = await admin.post(`/ui/users/${user.id}/remove`);
    expect(removed.status).toBe(303);
    expect(await users.findByEmail('new@example.com')).toBeUndefined();
  });

  it('refuses to remove or demote the last unlimited admin and says why', async () => {
    // The program-limited admin is an admin too; remove it first so boss is the last one.
    const limited = (await createUserService(h.db.db).list()).find((u) => u.role === 'admin' && u.programIds.length > 0)!;
    expect((await admin.post(`/ui/users/${limited.id}/remove`)).status).toBe(303);
    const demote = await admin.post(`/ui/users/${adminId}`, { name: 'Boss', role: 'viewer' });
    expect(demote.status).toBe(409);
    expect(demote.text).toContain('This is the last admin');
    const remove = await admin.post(`/ui/users/${adminId}/remove`);
    expect(remove.status).toBe(409);
    expect(remove.text).toContain('This is the last admin');
  });
});

describe('npm run user', () => {
  it('adds (printing a setup link), lists, resets and removes users in the harness database', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = h.databaseUrl;
    try {
      const lines: string[] = [];
      const out = (l: string) => lines.push(l);
      expect(await runUserCli(['add', 'cli@example.com', '--role', 'editor', '--programs', programA.id, '--name', 'Cli'], out)).toBe(0);
      expect(lines.join('\n')).toContain(`Added cli@example.com (editor, programs ${programA.id})`);
      const addLink = /\/setup\/([\w-]+)/.exec(lines.join('\n'))?.[1];
      const users = createUserService(h.db.db);
      const user = (await users.findByEmail('cli@example.com'))!;
      expect(await users.setupTokenValid(addLink!)).toEqual({ userId: user.id });

      lines.length = 0;
      expect(await runUserCli(['list'], out)).toBe(0);
      expect(lines).toContain(`cli@example.com\teditor\t${programA.id}`);

      lines.length = 0;
      expect(await runUserCli(['reset', 'cli@example.com'], out)).toBe(0);
      const resetLink = /\/setup\/([\w-]+)/.exec(lines.join('\n'))?.[1];
      expect(resetLink).not.toBe(addLink);
      expect(await users.setupTokenValid(resetLink!)).toEqual({ userId: user.id });

      lines.length = 0;
      expect(await runUserCli(['remove', 'cli@example.com'], out)).toBe(0);
      expect(lines).toEqual(['Removed cli@example.com.']);
      expect(await users.findByEmail('cli@example.com')).toBeUndefined();

      lines.length = 0;
      expect(await runUserCli(['remove', 'boss@example.com'], out)).toBe(1);
      expect(lines.join('\n')).toContain('This is the last admin');
      expect(await runUserCli(['reset', 'ghost@example.com'], out)).toBe(1);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  }, 30_000);
});
