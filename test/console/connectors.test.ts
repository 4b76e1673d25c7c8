import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../connectors/security/secret-box.js';
import { deriveSecretKey } from '../../lib/secret-key.js';
import { newId } from '../../lib/ids.js';
import { ConsoleClient, signedInAs } from '../support/console-client.js';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, TEST_SECRET_KEY, waitFor, type Harness } from '../support/hub-harness.js';
import { startLocalReceiver, type LocalReceiver } from '../support/start-local-receiver.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const box = createSecretBox(deriveSecretKey(TEST_SECRET_KEY));

let h: Harness;
let receiver: LocalReceiver;
let admin: ConsoleClient;
let viewer: ConsoleClient;
let editor: ConsoleClient;
let limitedAdmin: ConsoleClient;
let programA: { id: string; name: string };
let memberA: { referralCode: string };
let programB: { id: string; name: string };

beforeAll(async () => {
  h = await createHarness({ syncBackoffMs: [60_000], syncDisableAfter: 5 });
  receiver = await startLocalReceiver();
  const a = await programWithMember(h, []);
  const b = await programWithMember(h, []);
  [programA, memberA, programB] = [a.program, a.member, b.program];
  ({ client: admin } = await signedInAs(h, 'admin'));
  ({ client: viewer } = await signedInAs(h, 'viewer'));
  ({ client: editor } = await signedInAs(h, 'editor'));
  ({ client: limitedAdmin } = await signedInAs(h, 'admin', { programIds: [programA.id] }));
}, 60_000);
afterAll(async () => {
  await h?.close();
  await receiver?.close();
});

/** Page text with the entities hono/jsx writes turned back into characters. */
const plain = (html: string) =>
  html.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
const idFromLocation = (location: string | null) => /\/ui\/connectors\/(con_[^/?]+)/.exec(location ?? '')![1]!;
const storedSecrets = async (id: string) => {
  const [row] = await h.db.sql<{ id: string; secrets_sealed: string }[]>`select id, secrets_sealed from connectors where id = ${id}`;
  return box.openJson(row!.secrets_sealed as never, row!.id) as Record<string, unknown>;
};

/** A webhook connector made through the generated form; its own path on the shared receiver. */
async function webhookThroughForm(client: ConsoleClient, programId: string, name = 'Partner CRM') {
  const path = `/${randomBytes(6).toString('hex')}`;
  await client.get('/ui/connectors/new/webhook');
  const res = await client.post('/ui/connectors/new/webhook', {
    name,
    'settings.url': `${receiver.url}${path}`,
    'settings.headers': 'X-Team: growth',
    'secrets.signingSecret': SECRET,
    events: ['referral.created'],
    programIds: [programId],
  });
  expect(res.status, res.text.slice(0, 2000)).toBe(303);
  return { id: idFromLocation(res.headers.get('location')), path };
}

describe('connector pages', () => {
  it('lists nothing at first, offers every kind, and generates the form from the kind schema', async () => {
    const empty = await admin.get('/ui/connectors');
    expect(empty.status).toBe(200);
    expect(empty.text).toContain('No connectors yet.');
    const kinds = await admin.get('/ui/connectors/new');
    expect(kinds.text).toContain('href="/ui/connectors/new/webhook"');
    const form = await admin.get('/ui/connectors/new/webhook');
    expect(form.status).toBe(200);
    expect(form.text).toMatch(/<label for="f-settings-url">URL/);
    expect(form.text).toMatch(/<input id="f-settings-url" name="settings.url" type="url"[^>]* required=""/);
    expect(form.text).toMatch(/name="settings.timeoutMs" type="number"[^>]*min="100" max="60000" step="1"/);
    expect(form.text).toMatch(/name="secrets.signingSecret" type="password"/);
    expect(form.text).toContain('Endpoint that receives each event as a signed POST');
    // The email kind has email fields: zod's email pattern must not become an HTML pattern.
    const email = await admin.get('/ui/connectors/new/email');
    expect(email.status).toBe(200);
    expect(email.text).not.toContain('pattern=');
    expect((await admin.get('/ui/connectors/new/nope')).status).toBe(404);
    for (const kind of [...kinds.text.matchAll(/href="\/ui\/connectors\/new\/([a-z_-]+)"/g)].map((m) => m[1]!)) {
      const page = await admin.get(`/ui/connectors/new/${kind}`);
      expect(page.status, kind).toBe(200);
      expect(page.text, kind).not.toContain('pattern=');
    }
    // PEM keys keep their line breaks: a textarea, empty like every secret.
    expect((await admin.get('/ui/connectors/new/sftp')).text).toMatch(
      /<textarea id="f-secrets-privateKey" name="secrets.privateKey"[^>]*><\/textarea>/,
    );
  });

  it('creates an inbound connector with its mapping from the posted body on the same form', async () => {
    const form = await admin.get('/ui/connectors/new/inbound');
    expect(form.text).toMatch(/name="settings.action"/);
    expect(form.text).toMatch(/name="settings.programId"/);
    expect(form.text).toContain('name="mapping.0.target"');
    const missing = await admin.post('/ui/connectors/new/inbound', {
      name: 'Signups',
      'settings.action': 'member',
      'settings.programId': programA.id,
      rows: '2',
      'mapping.1.target': 'firstName',
      'mapping.1.source': 'body.first',
    });
    expect(missing.status).toBe(422);
    expect(plain(missing.text)).toContain('email');
    const res = await admin.post('/ui/connectors/new/inbound', {
      name: 'Signups',
      'settings.action': 'member',
      'settings.programId': programA.id,
      rows: '2',
      'mapping.0.target': 'email',
      'mapping.0.source': 'body.email',
    });
    expect(res.status, res.text.slice(0, 1500)).toBe(303);
    const id = idFromLocation(res.headers.get('location'));
    const api = (await h.call('GET', `/api/v1/connectors/${id}`)).body;
    expect(api).toMatchObject({ kind: 'inbound', programIds: [programA.id], mapping: [{ target: 'email', source: 'body.email' }] });
    const detail = await admin.get(`/ui/connectors/${id}`);
    expect(detail.text).toContain(api.inboundUrl);
    expect((await viewer.get(`/ui/connectors/${id}`)).text).not.toContain(api.inboundUrl);
  });

  it('creates a connector through the form; the secret is stored but never rendered', async () => {
    const { id } = await webhookThroughForm(admin, programA.id);
    const detail = await admin.get(`/ui/connectors/${id}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('Connector created.');
    expect(detail.text).toContain('signingSecret: set');
    expect(detail.text).not.toContain(SECRET);
    expect(detail.text).not.toContain(SECRET.slice(6, 30));
    expect(detail.text).toContain('X-Team: growth');
    expect((await storedSecrets(id)).signingSecret).toBe(SECRET);
    const list = await admin.get('/ui/connectors');
    expect(list.text).toContain('Partner CRM');
    expect(list.text).toContain(programA.name);
    expect(list.text).toMatch(/badge ok">active/);
  });

  it('refuses invalid fields with 422 and the message next to each; a typed secret is not echoed', async () => {
    await admin.get('/ui/connectors/new/webhook');
    const res = await admin.post('/ui/connectors/new/webhook', {
      name: 'Broken',
      'settings.url': 'not a url',
      'settings.timeoutMs': '5',
      'secrets.signingSecret': 'whsec_short-and-secret-looking',
    });
    expect(res.status).toBe(422);
    expect(plain(res.text)).toMatch(/id="f-settings-url-error">[^<]*url must be an absolute http or https URL/);
    expect(res.text).toContain('value="not a url"');
    expect(res.text).not.toContain('whsec_short-and-secret-looking');
  });

  it('keeps a stored secret when its field is left blank, and replaces it when one is typed', async () => {
    const { id } = await webhookThroughForm(admin, programA.id, 'Keeps secret');
    const page = await admin.get(`/ui/connectors/${id}`);
    expect(page.text).toMatch(/<strong>set<\/strong> — leave blank to keep it/);
    const url = /name="settings.url" type="url" value="([^"]+)"/.exec(page.text)![1]!;
    const saved = await admin.post(`/ui/connectors/${id}`, {
      name: 'Renamed',
      'settings.url': url,
      'secrets.signingSecret': '',
      programIds: [programA.id],
    });
    expect(saved.status, saved.text.slice(0, 1500)).toBe(303);
    expect((await storedSecrets(id)).signingSecret).toBe(SECRET);
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    await admin.post(`/ui/connectors/${id}`, {
      name: 'Renamed',
      'settings.url': url,
      'secrets.signingSecret': other,
      programIds: [programA.id],
    });
    expect((await storedSecrets(id)).signingSecret).toBe(other);
    expect((await admin.get(`/ui/connectors/${id}`)).text).not.toContain(other);
  });

  it('disables and enables, and tests the connection showing the result', async () => {
    const { id, path } = await webhookThroughForm(admin, programA.id, 'Toggle');
    await admin.get(`/ui/connectors/${id}`);
    expect((await admin.post(`/ui/connectors/${id}/disable`)).status).toBe(303);
    expect((await admin.get(`/ui/connectors/${id}`)).text).toMatch(/badge off">disabled/);
    await admin.post(`/ui/connectors/${id}/enable`);
    expect((await admin.get(`/ui/connectors/${id}`)).text).toMatch(/badge ok">active/);
    const previous = receiver.reply;
    receiver.reply = (req) => (req.path === path ? { status: 401, body: 'who are you' } : previous(req));
    const tested = await admin.post(`/ui/connectors/${id}/test`);
    receiver.reply = previous;
    expect(tested.status).toBe(200);
    expect(tested.text).toMatch(/Connection test (passed|failed)/);
  });

  it('edits the mapping with a value map and previews it on real records, with and without htmx', async () => {
    const { id } = await webhookThroughForm(admin, programA.id, 'Mapped');
    await convert(h, programA.id, memberA.referralCode);
    const page = await admin.get(`/ui/connectors/${id}/mapping`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('hx-trigger="input changed delay:500ms"');
    const row = {
      rows: '3',
      'mapping.0.target': 'stage',
      'mapping.0.source': 'referral.status',
      'mapping.0.valueMap': 'pending = Lead in progress\nconverted = Customer',
      'mapping.0.noMatch': 'Other',
      'mapping.1.target': 'email',
      'mapping.1.source': 'referral.email',
      'mapping.1.case': 'upper',
      // A browser sends every select, blank rows' too.
      'mapping.2.whenTest': 'equals',
      'mapping.2.case': '',
    };
    const preview = await admin.post(`/ui/connectors/${id}/mapping`, { ...row, do: 'preview' });
    expect(preview.status).toBe(200);
    expect(plain(preview.text)).toMatch(/"stage": "(Lead in progress|Customer)"/);
    expect(preview.text).toContain('pending = Lead in progress');
    const fragment = await admin.request('POST', `/ui/connectors/${id}/mapping/preview`, {
      form: { _csrf: admin.csrf, ...row },
      headers: { 'hx-request': 'true', 'x-csrf-token': admin.csrf },
    });
    expect(fragment.status).toBe(200);
    expect(fragment.text).toMatch(/^<section id="mapping-preview"/);
    expect(plain(fragment.text)).toMatch(/"email": "[A-Z0-9.+-]+@/);
    expect(fragment.text).not.toContain('<html');
    // Nothing was saved by previewing.
    expect((await h.call('GET', `/api/v1/connectors/${id}`)).body.mapping).toBeNull();
    const saved = await admin.post(`/ui/connectors/${id}/mapping`, { ...row, do: 'save' });
    expect(saved.status).toBe(303);
    const stored = (await h.call('GET', `/api/v1/connectors/${id}`)).body.mapping;
    expect(stored[0]).toEqual({
      target: 'stage',
      source: 'referral.status',
      valueMap: { pending: 'Lead in progress', converted: 'Customer' },
      noMatch: 'Other',
    });
    const reread = await admin.get(`/ui/connectors/${id}/mapping`);
    expect(reread.text).toContain('pending = Lead in progress\nconverted = Customer');
  });

  it('shows a mapping mistake next to its row with 422', async () => {
    const { id } = await webhookThroughForm(admin, programA.id, 'Bad mapping');
    await admin.get(`/ui/connectors/${id}/mapping`);
    const res = await admin.post(`/ui/connectors/${id}/mapping`, {
      rows: '3',
      'mapping.2.target': 'x',
      'mapping.2.source': 'nowhere.email',
      do: 'save',
    });
    expect(res.status).toBe(422);
    expect(plain(res.text)).toMatch(/id="f-mapping-2-source-error">[^<]*unknown source "nowhere"/);
  });

  it('shows a failed attempt with its status and a Retry button, and the retry gets through', async () => {
    const { program, member } = await programWithMember(h, []);
    const { id, path } = await webhookThroughForm(admin, program.id, 'Flaky');
    const previous = receiver.reply;
    let failing = true;
    receiver.reply = (req) =>
      req.path === path ? (failing ? { status: 400, body: 'bad record today' } : { status: 200, body: 'ok' }) : previous(req);
    await convert(h, program.id, member.referralCode);
    const failed = await waitFor(
      async () => {
        const res = await admin.get(`/ui/connectors/${id}/deliveries`);
        return /class="badge \w+">dead</.test(res.text) ? res : undefined;
      },
      20_000,
      'the failed attempt',
    );
    expect(failed.text).toContain('HTTP 400');
    expect(failed.text).toContain('bad record today');
    expect(failed.text).toContain('>Retry</button>');
    expect(failed.text).toContain('scheduled');
    const deliveryId = /action="\/ui\/connectors\/[^/]+\/deliveries\/([^/]+)\/retry"/.exec(failed.text)![1]!;
    failing = false;
    const retried = await admin.post(`/ui/connectors/${id}/deliveries/${deliveryId}/retry`);
    expect(retried.status).toBe(303);
    const ok = await waitFor(
      async () => {
        const res = await admin.get(`/ui/connectors/${id}/deliveries?status=succeeded`);
        return /badge ok">succeeded/.test(res.text) ? res : undefined;
      },
      20_000,
      'the retry to succeed',
    );
    expect(ok.text).toContain('retry');
    receiver.reply = previous;
    const filtered = await admin.get(`/ui/connectors/${id}/deliveries?status=dead`);
    expect(filtered.text).toContain('No deliveries match these filters');
    // Replay needs a valid range; recovery starts a workflow.
    expect((await admin.post(`/ui/connectors/${id}/replay`, { replayFrom: '2026-01-02T00:00', replayTo: '2026-01-01T00:00' })).status).toBe(
      422,
    );
    const replay = await admin.post(`/ui/connectors/${id}/replay`, { replayFrom: '2020-01-01T00:00', replayTo: '2099-01-01T00:00' });
    expect(replay.status).toBe(303);
    const recover = await admin.post(`/ui/connectors/${id}/recover`, { since: '2020-01-01T00:00' });
    expect(recover.status).toBe(303);
    expect((await admin.get(`/ui/connectors/${id}/deliveries`)).text).toContain('Recovery started');
  }, 60_000);

  it('lets viewers look without any control and refuses their changes; editors manage connectors', async () => {
    const { id } = await webhookThroughForm(admin, programA.id, 'Look only');
    expect((await editor.get(`/ui/connectors/${id}`)).text).toContain('Test connection');
    for (const client of [viewer]) {
      const detail = await client.get(`/ui/connectors/${id}`);
      expect(detail.status).toBe(200);
      expect(detail.text).not.toContain('Test connection');
      expect(detail.text).not.toContain('Save changes');
      expect(detail.text).not.toMatch(/<form[^>]*method="post"[^>]*action="\/ui\/connectors/);
      expect((await client.get('/ui/connectors')).text).not.toContain('New connector');
      expect((await client.get(`/ui/connectors/${id}/deliveries`)).text).not.toContain('Recover failed');
      expect((await client.get(`/ui/connectors/${id}/mapping`)).text).not.toContain('Save mapping');
      expect((await client.get('/ui/connectors/new/webhook')).status).toBe(403);
      expect((await client.post(`/ui/connectors/${id}/disable`)).status).toBe(403);
      expect((await client.post(`/ui/connectors/${id}/mapping`, { rows: '0', do: 'save' })).status).toBe(403);
    }
    expect((await h.call('GET', `/api/v1/connectors/${id}`)).body.enabled).toBe(true);
    expect((await editor.post(`/ui/connectors/${id}/disable`)).status).toBe(303);
    expect((await h.call('GET', `/api/v1/connectors/${id}`)).body.enabled).toBe(false);
  });

  it("never shows a user limited to program A program B's connectors or deliveries", async () => {
    const { id: foreign } = await webhookThroughForm(admin, programB.id, 'Program B only');
    const list = await limitedAdmin.get('/ui/connectors');
    expect(list.text).not.toContain('Program B only');
    expect(list.text).toContain('Partner CRM');
    for (const path of [`/ui/connectors/${foreign}`, `/ui/connectors/${foreign}/deliveries`, `/ui/connectors/${foreign}/mapping`]) {
      expect((await limitedAdmin.get(path)).status, path).toBe(404);
    }
    expect((await limitedAdmin.post(`/ui/connectors/${foreign}/disable`)).status).toBe(404);
    // Creating one for every program is not the limited user's to do: shown at the programs.
    await limitedAdmin.get('/ui/connectors/new/webhook');
    const none = await limitedAdmin.post('/ui/connectors/new/webhook', {
      name: 'Everyone',
      'settings.url': `${receiver.url}/x`,
      'secrets.signingSecret': SECRET,
    });
    expect(none.status).toBe(422);
    expect(none.text).toContain('id="f-programIds-error"');
    expect(none.text).not.toContain(programB.name);
  });
});

describe('inbound log', () => {
  it('lists and shows kept requests to admins only, within their programs', async () => {
    const { id: mine } = await webhookThroughForm(admin, programA.id, 'Inbound A');
    const { id: theirs } = await webhookThroughForm(admin, programB.id, 'Inbound B');
    const ids = { a: newId('ibx'), b: newId('ibx'), stripe: newId('ibx') };
    await h.db.sql`
      insert into inbound_requests (id, source, connector_id, content_type, raw_body, status, answer) values
        (${ids.a}, 'inbound', ${mine}, 'application/json', '{"email":"a@example.com"}', 202, '{"ok":true}'::jsonb),
        (${ids.b}, 'inbound', ${theirs}, 'application/json', '{"email":"b@example.com"}', 422, '{"error":{"code":"validation_failed"}}'::jsonb),
        (${ids.stripe}, 'stripe', null, 'application/json', '{"type":"invoice.paid"}', 200, null)`;
    const all = await admin.get('/ui/inbound');
    expect(all.status).toBe(200);
    for (const id of Object.values(ids)) expect(all.text).toContain(id);
    const filtered = await admin.get('/ui/inbound?source=stripe');
    expect(filtered.text).toContain(ids.stripe);
    expect(filtered.text).not.toContain(ids.a);
    const detail = await admin.get(`/ui/inbound/${ids.b}`);
    expect(detail.status).toBe(200);
    expect(detail.text).toContain('b@example.com');
    expect(detail.text).toContain('validation_failed');

    const limited = await limitedAdmin.get('/ui/inbound');
    expect(limited.text).toContain(ids.a);
    expect(limited.text).not.toContain(ids.b);
    expect(limited.text).not.toContain(ids.stripe);
    expect((await limitedAdmin.get(`/ui/inbound/${ids.b}`)).status).toBe(404);
    expect((await viewer.get('/ui/inbound')).status).toBe(403);
    expect((await editor.get(`/ui/inbound/${ids.a}`)).status).toBe(403);
    expect((await viewer.get('/ui')).text).not.toContain('href="/ui/inbound"');
  });
});
