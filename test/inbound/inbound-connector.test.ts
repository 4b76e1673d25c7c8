import { createHmac, randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneInboundRequests } from '../../hub/services/inbound-request-log.js';
import { connectorSyncWorkflowId } from '../../workflows/sandboxed/connector-sync-signal.js';
import { convert, programWithMember } from '../support/fixtures.js';
import { createHarness, waitFor, type Harness } from '../support/hub-harness.js';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h?.close();
});

const SIGNING_SECRET = 'inbound-signing-secret-0123456789';

/** A POST without an API key, as Zapier or any other system would send it. */
async function post(url: string, body: string | object, headers: Record<string, string> = {}) {
  const res = await h.app.request(new URL(url, 'http://hub.test').pathname, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Standard Webhooks headers for `raw`, signed now (or at `atSeconds`) with a plain-text secret. */
function sign(raw: string, secret = SIGNING_SECRET, atSeconds = Math.floor(Date.now() / 1000), id = `msg_${randomUUID()}`) {
  const mac = createHmac('sha256', secret).update(`${id}.${atSeconds}.${raw}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(atSeconds), 'webhook-signature': `v1,${mac}` };
}

async function inboundConnector(programId: string, action: string, mapping: unknown[], secrets: Record<string, string> = {}) {
  const res = await h.call('POST', '/api/v1/connectors', {
    kind: 'inbound',
    name: `In ${action}`,
    settings: { action, programId },
    secrets,
    mapping,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; inboundUrl: string };
}

const memberMapping = [
  { target: 'email', source: 'body.contact.email' },
  { target: 'firstName', source: 'body.contact.name.first' },
  { target: 'externalId', source: 'body.contact.id' },
  { target: 'customFields.plan', source: 'body.order.plan_code', valueMap: { P: 'pro', B: 'basic' }, noMatch: 'other' },
];

describe('inbound connector configuration', () => {
  it('201 with an inbound URL carrying a 32-byte token, shown again on GET; secrets stay write-only', async () => {
    const { program } = await programWithMember(h, []);
    const created = await h.call('POST', '/api/v1/connectors', {
      kind: 'inbound',
      name: 'Zapier catch',
      settings: { action: 'member', programId: program.id },
      secrets: { signingSecret: SIGNING_SECRET },
      mapping: memberMapping,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.inboundUrl).toMatch(/^http:\/\/hub\.test\/webhooks\/in\/[A-Za-z0-9_-]{43}$/);
    expect(created.body.secrets).toEqual({ signingSecret: 'set' });
    const [row] = await h.db.sql`select inbound_token from connectors where id = ${created.body.id}`;
    expect(created.body.inboundUrl.endsWith(`/${row!.inbound_token}`)).toBe(true);
    const read = await h.call('GET', `/api/v1/connectors/${created.body.id}`);
    expect(read.body.inboundUrl).toBe(created.body.inboundUrl);
    expect(JSON.stringify(read.body)).not.toContain(SIGNING_SECRET);
    expect((await h.call('POST', `/api/v1/connectors/${created.body.id}/test`)).body).toEqual({ ok: true });
    // The URL is a credential: a read-only key sees the connector, not the URL.
    const reader = await h.call('POST', '/api/v1/api-keys', { name: 'reader', scopes: ['read'] });
    const asReader = { authorization: `Bearer ${reader.body.key}` };
    const readOnly = await h.call('GET', `/api/v1/connectors/${created.body.id}`, undefined, asReader);
    expect(readOnly.status).toBe(200);
    expect(readOnly.body.id).toBe(created.body.id);
    expect(readOnly.body).not.toHaveProperty('inboundUrl');
    const listed = await h.call('GET', '/api/v1/connectors?kind=inbound', undefined, asReader);
    expect(listed.body.data.length).toBeGreaterThan(0);
    expect(JSON.stringify(listed.body)).not.toContain(row!.inbound_token);
    // Two connectors never share a token.
    const other = await inboundConnector(program.id, 'member', memberMapping);
    expect(other.inboundUrl).not.toBe(created.body.inboundUrl);
  });

  it('refuses settings, mappings and targets that cannot work, naming the field', async () => {
    const { program } = await programWithMember(h, []);
    const attempt = (settings: unknown, mapping?: unknown) =>
      h.call('POST', '/api/v1/connectors', { kind: 'inbound', name: 'x', settings, ...(mapping === undefined ? {} : { mapping }) });
    const paths = (res: { body: any }) => res.body.error.details.map((d: { path: string }) => d.path);

    const cases: [unknown, unknown, string][] = [
      [{ action: 'member', programId: program.id }, undefined, 'mapping'],
      [{ action: 'member', programId: program.id }, [{ target: 'email', source: 'referral.email' }], 'mapping.0.source'],
      [
        { action: 'member', programId: program.id },
        [
          { target: 'email', source: 'body.e' },
          { target: 'shoeSize', source: 'body.s' },
        ],
        'mapping.1.target',
      ],
      [{ action: 'member', programId: program.id }, [{ target: 'firstName', source: 'body.n' }], 'mapping'],
      [{ action: 'conversion', programId: program.id }, [{ target: 'email', source: 'body.e' }], 'mapping'],
      [{ action: 'event', programId: program.id }, [{ target: 'type', constant: 'purchase' }], 'mapping'],
      [
        { action: 'event', programId: program.id },
        [
          { target: 'type', constant: 'purchase' },
          { target: 'referral.phone', source: 'body.p' },
        ],
        'mapping.1.target',
      ],
      [
        { action: 'member', programId: program.id },
        [
          { target: 'email', source: 'body.e' },
          { target: 'customFields.__proto__', source: 'body.x' },
        ],
        'mapping.1.target',
      ],
      [{ action: 'shout', programId: program.id }, [{ target: 'email', source: 'body.e' }], 'settings.action'],
      [{ action: 'member', programId: 'prg_missing' }, [{ target: 'email', source: 'body.e' }], 'settings.programId'],
    ];
    for (const [settings, mapping, path] of cases) {
      const res = await attempt(settings, mapping);
      expect(res.status, JSON.stringify({ settings, mapping })).toBe(422);
      expect(res.body.error.code).toBe('validation_failed');
      expect(paths(res), JSON.stringify(res.body)).toContain(path);
    }
    const shortSecret = await h.call('POST', '/api/v1/connectors', {
      kind: 'inbound',
      name: 'x',
      settings: { action: 'member', programId: program.id },
      secrets: { signingSecret: 'short' },
      mapping: memberMapping,
    });
    expect(shortSecret.status).toBe(422);
    expect(paths(shortSecret)).toContain('secrets.signingSecret');
    // `body.…` paths belong to inbound connectors only.
    const outbound = await h.call('POST', '/api/v1/connectors', {
      kind: 'webhook',
      name: 'w',
      settings: { url: 'https://crm.example/hook' },
      mapping: [{ target: 'email', source: 'body.email' }],
    });
    expect(outbound.status).toBe(422);
    expect(paths(outbound)).toContain('mapping.0.source');
  });

  it('a PATCH is held to the same rules', async () => {
    const { program } = await programWithMember(h, []);
    const connector = await inboundConnector(program.id, 'member', memberMapping);
    const bad = await h.call('PATCH', `/api/v1/connectors/${connector.id}`, { settings: { action: 'conversion', programId: program.id } });
    expect(bad.status).toBe(422);
    const renamed = await h.call('PATCH', `/api/v1/connectors/${connector.id}`, { name: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.inboundUrl).toBe(connector.inboundUrl);
  });

  it('connectorSync leaves an inbound connector alone instead of marking it failing', async () => {
    const { program } = await programWithMember(h, []);
    const connector = await inboundConnector(program.id, 'member', memberMapping);
    // Creating it woke its sync workflow; wait until that ran its first batch.
    await waitFor(
      async () => {
        const { events } = await h.client.workflow.getHandle(connectorSyncWorkflowId(connector.id)).fetchHistory();
        return (events ?? []).some((e) => e.activityTaskCompletedEventAttributes);
      },
      15_000,
      'a completed sync batch',
    );
    const [row] = await h.db.sql`select status, status_reason, consecutive_failures from connectors where id = ${connector.id}`;
    expect(row).toEqual({ status: 'active', status_reason: null, consecutive_failures: 0 });
  });
});

describe('POST /webhooks/in/:token', () => {
  it('member: a nested body becomes a member through the mapping, value map included; a repeat is 200', async () => {
    const { program } = await programWithMember(h, []);
    const { inboundUrl } = await inboundConnector(program.id, 'member', memberMapping);
    const body = {
      contact: { email: 'cleo@example.com', id: 'crm-77', name: { first: 'Cleo' } },
      order: { plan_code: 'P' },
      ignored: [1, 2],
    };

    const res = await post(inboundUrl, body);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      programId: program.id,
      email: 'cleo@example.com',
      firstName: 'Cleo',
      externalId: 'crm-77',
      customFields: { plan: 'pro' },
    });
    expect(res.body.id).toMatch(/^mem_/);
    expect(res.body.referralUrl).toBe(`http://hub.test/r/${res.body.referralCode}`);
    const stored = await h.call('GET', `/api/v1/members/${res.body.id}`);
    expect(stored.body.customFields).toEqual({ plan: 'pro' });

    const again = await post(inboundUrl, { ...body, order: { plan_code: 'Z' } });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
    const other = await post(inboundUrl, { contact: { email: 'dan@example.com' }, order: { plan_code: 'Z' } });
    expect(other.status).toBe(201);
    expect(other.body.customFields).toEqual({ plan: 'other' });
  });

  it('conversion: creates the referral with the mapped status, amount and source "webhook"', async () => {
    const { program, member } = await programWithMember(h, []);
    const { inboundUrl } = await inboundConnector(program.id, 'conversion', [
      { target: 'email', source: 'body.customer.email' },
      { target: 'referralCode', source: 'body.meta.ref' },
      { target: 'firstName', source: 'body.customer.first_name' },
      { target: 'amount', source: 'body.order.total' },
      { target: 'currency', source: 'body.order.currency', case: 'upper' },
      { target: 'orderId', source: 'body.order.id' },
      { target: 'status', source: 'body.stage', valueMap: { lead: 'pending', sql: 'qualified' } },
    ]);
    const res = await post(inboundUrl, {
      customer: { email: 'erin@example.com', first_name: 'Erin' },
      meta: { ref: member.referralCode.toLowerCase() },
      order: { total: '120.50', currency: 'eur', id: 'o-9' },
      stage: 'sql',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      programId: program.id,
      memberId: member.id,
      email: 'erin@example.com',
      firstName: 'Erin',
      status: 'qualified',
      amount: 120.5,
      currency: 'EUR',
      orderId: 'o-9',
      source: 'webhook',
    });
    const referral = await h.call('GET', `/api/v1/referrals/${res.body.id}`);
    expect(referral.body.status).toBe('qualified');
  });

  it('event: records a business event; the mapped idempotency key makes a retry harmless', async () => {
    const { program, member } = await programWithMember(h, []);
    const referral = await convert(h, program.id, member.referralCode);
    const { inboundUrl } = await inboundConnector(program.id, 'event', [
      { target: 'type', source: 'body.kind', valueMap: { renewal: 'subscription_renewed', sale: 'purchase' } },
      { target: 'referral.email', source: 'body.customer.email' },
      { target: 'amount', source: 'body.total' },
      { target: 'currency', constant: 'USD' },
      { target: 'idempotencyKey', source: 'body.id' },
    ]);
    const body = { id: 'inv-42', kind: 'renewal', total: 30, customer: { email: referral.email.toUpperCase() } };
    const first = await post(inboundUrl, body);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body.eventId).toMatch(/^bev_/);
    const retry = await post(inboundUrl, body);
    expect(retry).toEqual(first);
    const rows = await h.db
      .sql`select type, amount::float8 as amount, currency, referral_id from business_events where program_id = ${program.id}`;
    expect(rows).toEqual([{ type: 'subscription_renewed', amount: 30, currency: 'USD', referral_id: referral.id }]);
    // Nobody with that email in the program: the API's own answer.
    expect((await post(inboundUrl, { ...body, id: 'inv-43', customer: { email: 'nobody@example.com' } })).status).toBe(404);
  });

  it('a signed request sent again with the same webhook-id (a sender retry, or a replay within 5 minutes) is accepted once', async () => {
    const { program, member } = await programWithMember(h, []);
    const referral = await convert(h, program.id, member.referralCode);
    // No idempotency key in the mapping: without the webhook-id guard every copy would be a new event.
    const { inboundUrl } = await inboundConnector(
      program.id,
      'event',
      [
        { target: 'type', constant: 'purchase' },
        { target: 'referral.email', source: 'body.email' },
        { target: 'amount', source: 'body.total' },
        { target: 'currency', constant: 'USD' },
      ],
      { signingSecret: SIGNING_SECRET },
    );
    const raw = JSON.stringify({ email: referral.email, total: 12 });
    const headers = sign(raw);
    const first = await post(inboundUrl, raw, headers);
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const again = await post(inboundUrl, raw, headers);
    expect(again).toEqual(first);
    expect(await h.db.sql`select id from business_events where referral_id = ${referral.id}`).toHaveLength(1);
    // The same id with another body is refused, not processed.
    const other = JSON.stringify({ email: referral.email, total: 99 });
    const reused = sign(other, SIGNING_SECRET, Number(headers['webhook-timestamp']), headers['webhook-id']);
    const conflict = await post(inboundUrl, other, reused);
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('idempotency_conflict');
    // A new id is a new event.
    expect((await post(inboundUrl, raw, sign(raw))).status).toBe(202);
    expect(await h.db.sql`select id from business_events where referral_id = ${referral.id}`).toHaveLength(2);
  });

  it("takes form posts too (Zapier's default payload type)", async () => {
    const { program } = await programWithMember(h, []);
    const { inboundUrl } = await inboundConnector(program.id, 'member', [
      { target: 'email', source: 'body.email' },
      { target: 'firstName', source: 'body.first_name' },
    ]);
    const res = await post(inboundUrl, 'email=fay%40example.com&first_name=Fay', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ email: 'fay@example.com', firstName: 'Fay' });
  });

  it('with a signing secret: a Standard Webhooks signature over id, timestamp and raw body is required and checked', async () => {
    const { program } = await programWithMember(h, []);
    const { inboundUrl } = await inboundConnector(program.id, 'member', memberMapping, { signingSecret: SIGNING_SECRET });
    const raw = JSON.stringify({ contact: { email: 'gus@example.com' } });
    const refusal = async (headers: Record<string, string>, body = raw) => {
      const res = await post(inboundUrl, body, headers);
      expect(res.status, JSON.stringify(res.body)).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
      return res.body.error.message as string;
    };

    expect(await refusal({})).toContain('webhook-signature: v1,');
    expect(await refusal(sign(raw, 'another-secret-0123456789'))).toContain('does not match');
    const good = sign(raw);
    expect(await refusal({ ...good, 'webhook-signature': good['webhook-signature'].slice(0, 20) })).toContain('does not match');
    // The id and the time are signed too: changing either breaks the signature.
    expect(await refusal({ ...good, 'webhook-id': 'msg_other' })).toContain('does not match');
    expect(await refusal({ ...good, 'webhook-timestamp': String(Number(good['webhook-timestamp']) - 1) })).toContain('does not match');
    // Same JSON, other bytes: the signature covers what was sent, not what it means.
    expect(await refusal(good, JSON.stringify(JSON.parse(raw), null, 2))).toContain('does not match');
    // A request signed more than 5 minutes ago (or ahead) is stale, even with a valid signature: no replays.
    // 10 s past the bound: whole-second timestamps and a slow machine eat up to a couple of seconds
    // between signing here and the hub's check, which made +301 s land inside the window once.
    const now = Math.floor(Date.now() / 1000);
    expect(await refusal(sign(raw, SIGNING_SECRET, now - 310))).toContain('5 minutes');
    expect(await refusal(sign(raw, SIGNING_SECRET, now + 310))).toContain('5 minutes');
    // The old timestamp-less header is refused with a message saying what to send instead.
    const legacy = `sha256=${createHmac('sha256', SIGNING_SECRET).update(raw).digest('hex')}`;
    const legacyMessage = await refusal({ 'x-hub-signature-256': legacy });
    expect(legacyMessage).toContain('X-Hub-Signature-256 is no longer accepted');
    expect(legacyMessage).toContain('webhook-id, webhook-timestamp');
    expect(await h.db.sql`select id from members where email = 'gus@example.com'`).toHaveLength(0);

    // Signed 4 minutes ago, with a rotated-out signature listed first: accepted.
    const recent = sign(raw, SIGNING_SECRET, now - 240);
    const signed = await post(inboundUrl, raw, {
      ...recent,
      'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${recent['webhook-signature']}`,
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(201);
    expect(signed.body.email).toBe('gus@example.com');
  });

  it('a whsec_ secret works with the standardwebhooks library as the sender', async () => {
    const { program } = await programWithMember(h, []);
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const { inboundUrl } = await inboundConnector(program.id, 'member', memberMapping, { signingSecret: secret });
    const raw = JSON.stringify({ contact: { email: 'hank@example.com' } });
    const id = `msg_${randomUUID()}`;
    const at = new Date();
    const headers = {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, at, raw),
    };
    const res = await post(inboundUrl, raw, headers);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.email).toBe('hank@example.com');
  });

  it('keeps every authenticated request with its raw body and answer, newest first, for admin keys only', async () => {
    const { program } = await programWithMember(h, []);
    const connector = await inboundConnector(program.id, 'member', memberMapping, { signingSecret: SIGNING_SECRET });
    const good = '{"contact": {"email": "ivy@example.com", "name": {"first": "Ivy"}}}';
    const refused = '{"contact": {"email": "not-an-email"}}';
    expect((await post(connector.inboundUrl, good, sign(good))).status).toBe(201);
    expect((await post(connector.inboundUrl, refused, sign(refused))).status).toBe(422);
    // Failed authentication is not kept: a stranger cannot fill the table.
    expect((await post(connector.inboundUrl, good, sign(good, 'another-secret-0123456789'))).status).toBe(401);

    const listed = await h.call('GET', `/api/v1/inbound-requests?connectorId=${connector.id}`);
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((r: { rawBody: string; status: number }) => [r.rawBody, r.status])).toEqual([
      [refused, 422],
      [good, 201],
    ]);
    const [latest, first] = listed.body.data;
    expect(latest).toMatchObject({
      source: 'inbound',
      connectorId: connector.id,
      contentType: 'application/json',
      answer: { error: { code: 'validation_failed' } },
    });
    expect(first.answer).toMatchObject({ email: 'ivy@example.com', firstName: 'Ivy' });
    const paged = await h.call('GET', `/api/v1/inbound-requests?connectorId=${connector.id}&limit=1`);
    expect(paged.body.data).toHaveLength(1);
    const next = await h.call('GET', `/api/v1/inbound-requests?connectorId=${connector.id}&limit=1&cursor=${paged.body.nextCursor}`);
    expect(next.body.data[0].rawBody).toBe(good);

    const reader = await h.call('POST', '/api/v1/api-keys', { name: 'reader', scopes: ['read'] });
    expect((await h.call('GET', '/api/v1/inbound-requests', undefined, { authorization: `Bearer ${reader.body.key}` })).status).toBe(403);
    await h.db
      .sql`update inbound_requests set received_at = now() - interval '31 days' where connector_id = ${connector.id} and status = 201`;
    expect(await pruneInboundRequests(h.db.sql)).toBe(1);
  });

  it('unknown token, malformed token and disabled connector → 404 envelope', async () => {
    const { program } = await programWithMember(h, []);
    const connector = await inboundConnector(program.id, 'member', memberMapping);
    const body = { contact: { email: 'hal@example.com' } };
    for (const path of [`/webhooks/in/${'A'.repeat(43)}`, '/webhooks/in/short']) {
      const res = await post(path, body);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await h.call('PATCH', `/api/v1/connectors/${connector.id}`, { enabled: false })).status).toBe(200);
    const disabled = await post(connector.inboundUrl, body);
    expect(disabled.status).toBe(404);
    expect(disabled.body.error.code).toBe('not_found');
    expect(await h.db.sql`select id from members where email = 'hal@example.com'`).toHaveLength(0);
  });

  it('a body the mapping cannot turn into a valid input → 422 with details; bad JSON → 400; too large → 413', async () => {
    const { program } = await programWithMember(h, []);
    const { inboundUrl } = await inboundConnector(program.id, 'member', memberMapping);

    const missing = await post(inboundUrl, { contact: { name: { first: 'Ida' } } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('validation_failed');
    expect(missing.body.error.details.map((d: { path: string }) => d.path)).toContain('email');
    const invalid = await post(inboundUrl, { contact: { email: 'not-an-email' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.details.map((d: { path: string }) => d.path)).toContain('email');

    const malformed = await post(inboundUrl, '{"contact": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('malformed_json');
    const huge = await post(inboundUrl, { contact: { email: 'big@example.com' }, padding: 'x'.repeat(1_100_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it('a self-referral through the webhook → 422 self_referral', async () => {
    const { program, member } = await programWithMember(h, []);
    const { inboundUrl } = await inboundConnector(program.id, 'conversion', [
      { target: 'email', source: 'body.email' },
      { target: 'referralCode', source: 'body.ref' },
    ]);
    const res = await post(inboundUrl, { email: member.email, ref: member.referralCode });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('self_referral');
    expect(await h.db.sql`select id from referrals where program_id = ${program.id}`).toHaveLength(0);
  });

  it('Stripe and HubSpot endpoints are off (404) while their secrets are not configured', async () => {
    for (const path of ['/webhooks/stripe', '/webhooks/hubspot']) {
      const res = await post(path, '{}');
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});
