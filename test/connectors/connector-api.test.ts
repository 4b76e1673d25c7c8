import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, type Harness } from '../support/hub-harness.js';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
let h: Harness;
let strict: Harness;
beforeAll(async () => {
  h = await createHarness({ worker: false });
  strict = await createHarness({ worker: false, allowPrivateTargets: false });
});
afterAll(async () => {
  await h?.close();
  await strict?.close();
});

const webhook = (url: string, extra: Record<string, unknown> = {}) => ({
  kind: 'webhook',
  name: 'Our CRM',
  settings: { url },
  secrets: { signingSecret: SECRET },
  events: ['referral.created'],
  ...extra,
});

describe('connector API', () => {
  it('lists every kind with the JSON Schema of its settings and secrets', async () => {
    const res = await h.call('GET', '/api/v1/connector-kinds');
    expect(res.status).toBe(200);
    const kinds = res.body.data.map((k: { kind: string }) => k.kind).sort();
    expect(kinds).toEqual([
      'email',
      'ftps',
      'hubspot',
      'inbound',
      'mailchimp',
      'manual',
      'paypal',
      'sailthru',
      'salesforce',
      'sftp',
      'tangocard',
      'tremendous',
      'webhook',
      'zapier',
    ]);
    const hubspot = res.body.data.find((k: { kind: string }) => k.kind === 'hubspot');
    expect(hubspot.secrets.properties.accessToken).toBeDefined();
    expect(hubspot.secrets.writeOnly).toBe(true);
  });

  it('secrets are write-only and stored as ciphertext', async () => {
    const created = await h.call('POST', '/api/v1/connectors', webhook('https://crm.example/hooks'));
    expect(created.status).toBe(201);
    expect(created.body.secrets).toEqual({ signingSecret: 'set' });
    for (const res of [created, await h.call('GET', `/api/v1/connectors/${created.body.id}`), await h.call('GET', '/api/v1/connectors')]) {
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
    }
    const [row] = await h.db
      .sql`select secrets_sealed::text as s, settings::text as settings from connectors where id = ${created.body.id}`;
    expect(row!.s).toMatch(/^v1:/);
    expect(row!.s).not.toContain(SECRET.slice(6, 20));
    expect(row!.settings).not.toContain(SECRET);
    // Patching other secrets keeps the old one; the answer still only says "set".
    const patched = await h.call('PATCH', `/api/v1/connectors/${created.body.id}`, {
      secrets: { previousSigningSecret: `whsec_${randomBytes(32).toString('base64')}` },
    });
    expect(patched.body.secrets).toEqual({ signingSecret: 'set', previousSigningSecret: 'set' });
  });

  it('an edit of a connector saved before settings were strict drops the keys its kind no longer knows', async () => {
    const created = await h.call('POST', '/api/v1/connectors', webhook('https://crm.example/hook', { enabled: false }));
    expect(created.status).toBe(201);
    // What a row written by an older release can hold: a settings key the schema has since dropped.
    await h.db.sql`update connectors set settings = settings || '{"legacyRetries": 3}'::jsonb where id = ${created.body.id}`;
    const renamed = await h.call('PATCH', `/api/v1/connectors/${created.body.id}`, { name: 'Renamed' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    expect(renamed.body.settings).toEqual({ url: 'https://crm.example/hook' });
    expect(renamed.body.secrets).toEqual({ signingSecret: 'set' });
    // Unknown keys the caller sends are still refused.
    const bad = await h.call('PATCH', `/api/v1/connectors/${created.body.id}`, {
      settings: { url: 'https://crm.example/hook', legacyRetries: 3 },
    });
    expect(bad.status).toBe(422);
  });

  it('refuses private, loopback and link-local targets unless allowed', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://10.0.0.1/hook',
      'http://localhost:8080/hook',
      'http://[::1]/x',
      'http://0x7f.1/x',
    ]) {
      const res = await strict.call('POST', '/api/v1/connectors', webhook(url));
      expect(res.status, url).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
    }
    const sftp = await strict.call('POST', '/api/v1/connectors', {
      kind: 'sftp',
      name: 's',
      settings: { host: '10.1.2.3', username: 'u', directory: '/in' },
      secrets: { password: 'pw-123456' },
    });
    expect(sftp.status).toBe(422);
    // The test harness allows them, as HUB_ALLOW_PRIVATE_TARGETS=true would.
    expect((await h.call('POST', '/api/v1/connectors', webhook('http://10.0.0.1/hook'))).status).toBe(201);
  });

  it('plain FTP → 422 unsupported_protocol; bad settings → 422 naming the field', async () => {
    const ftp = await h.call('POST', '/api/v1/connectors', {
      kind: 'ftps',
      name: 'f',
      settings: { host: 'files.example', username: 'u', directory: '/', protocol: 'ftp' },
      secrets: { password: 'pw' },
    });
    expect(ftp.status).toBe(422);
    expect(ftp.body.error.code).toBe('unsupported_protocol');
    const bad = await h.call('POST', '/api/v1/connectors', webhook('not a url'));
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toContain('settings.url');
    expect((await h.call('POST', '/api/v1/connectors', { kind: 'fax', name: 'x' })).status).toBe(422);
    expect((await h.call('POST', '/api/v1/connectors', webhook('https://x.example', { events: ['nope.event'] }))).status).toBe(422);
  });

  it('preview applies the mapping to real records and sends nothing', async () => {
    const { program, member } = await programWithMember(h, []);
    await convert(h, program.id, member.referralCode, { customFields: { gender: 'M' }, firstName: 'Bob' });
    const created = await h.call(
      'POST',
      '/api/v1/connectors',
      webhook('https://crm.example/x', {
        programIds: [program.id],
        mapping: [
          { target: 'email', source: 'referral.email' },
          {
            target: 'gender',
            source: 'referral.customFields.gender',
            valueMap: { M: 'Male', F: 'Female' },
            noMatch: 'Other',
            empty: 'Unknown',
          },
          { target: 'signup_date', source: 'referral.createdAt', format: 'date:yyyy-MM-dd' },
          { target: 'referrer_link', source: 'member.referralUrl' },
          { target: 'origin', constant: 'referral-hub' },
        ],
      }),
    );
    const preview = await h.call('POST', `/api/v1/connectors/${created.body.id}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.data[0].data).toMatchObject({
      gender: 'Male',
      origin: 'referral-hub',
      referrer_link: member.referralUrl,
      signup_date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    const [n] = await h.db.sql`select count(*)::int as n from deliveries`;
    expect(n!.n).toBe(0);
  });

  it('test reports a failing check without throwing', async () => {
    const created = await h.call('POST', '/api/v1/connectors', {
      kind: 'hubspot',
      name: 'h',
      settings: { baseUrl: 'http://127.0.0.1:1' },
      secrets: { accessToken: 'pat-na1-secret-token' },
    });
    const res = await h.call('POST', `/api/v1/connectors/${created.body.id}/test`);
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.error.kind).toBe('transient');
    expect(JSON.stringify(res.body)).not.toContain('pat-na1-secret-token');
  });
});
