import { randomBytes } from 'node:crypto';

/** One program's objects, created by the authorization test. */
export interface Fixture {
  label: 'A' | 'B';
  /** Appears in every email, raw body and secret of this program, so a leak is easy to spot. */
  tag: string;
  programId: string;
  /** The program's publishable key when it was built (nothing in the sweep may rotate B's). */
  publishableKey: string;
  memberId: string;
  memberEmail: string;
  referralCode: string;
  referralId: string;
  referralEmail: string;
  /** Two rewards waiting for approval: one to approve, one to deny. */
  rewardIds: [string, string];
  /** Pending payouts (autoPay off): to send, to retry (made failed), to cancel, to mark paid (manual connector). */
  payoutIds: [string, string, string, string];
  connectorId: string;
  emailConnectorId: string;
  manualConnectorId: string;
  inboundConnectorId: string;
  inboundToken: string;
  deliveryId: string;
  recoveryId: string;
  scheduleId: string;
  runId: string;
  apiKeyId: string;
  fullKeys: string[];
  hookId: string;
  secrets: string[];
}

export interface RouteCase {
  /** The concrete path for the objects of one program. */
  path(f: Fixture): string;
  /** A valid body: `target` owns the path, `about` is the program the body names. */
  body?(target: Fixture, about: Fixture): unknown;
  /** Extra query strings tried on the path (filters naming the program). */
  queries?(f: Fixture): string[];
  /** A program-limited key may not do this even in its own program (it creates new programs). */
  ownProgram?: 'not-allowed';
}

/** Routes with their own credential (a signature, the URL's token, a publishable key in the body), outside API-key auth. */
export const PUBLIC_ROUTES = [
  'post /webhooks/in/{token}',
  'post /webhooks/stripe',
  'post /webhooks/hubspot',
  'post /api/v1/track/click',
  'post /api/v1/track/conversion',
  'post /api/v1/track/join',
];

let n = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${(n++).toString(36)}`;
const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

/**
 * Every API-key route, keyed `method path` as /openapi.json lists it. A new route must be added
 * here with a valid request, or the authorization test fails.
 */
export function authorizationRoutes(): Map<string, RouteCase> {
  const byProgram = (f: Fixture) => [`programId=${f.programId}`];
  const routes: Record<string, RouteCase> = {
    'get /api/v1/me': { path: () => '/api/v1/me' },
    'post /api/v1/api-keys': {
      path: () => '/api/v1/api-keys',
      body: (_t, about) => ({ name: unique('key'), scopes: ['read'], programIds: [about.programId] }),
    },
    'get /api/v1/api-keys': { path: () => '/api/v1/api-keys' },
    'delete /api/v1/api-keys/{id}': { path: (f) => `/api/v1/api-keys/${f.apiKeyId}` },

    'get /api/v1/connector-kinds': { path: () => '/api/v1/connector-kinds' },
    'post /api/v1/connectors': {
      path: () => '/api/v1/connectors',
      body: (_t, about) => ({
        kind: 'webhook',
        name: unique('hook'),
        settings: { url: 'http://127.0.0.1:9/x' },
        secrets: { signingSecret: `whsec_${randomBytes(32).toString('base64')}` },
        programIds: [about.programId],
        enabled: false,
      }),
    },
    'get /api/v1/connectors': { path: () => '/api/v1/connectors', queries: () => ['kind=webhook', 'kind=inbound'] },
    'get /api/v1/connectors/{id}': { path: (f) => `/api/v1/connectors/${f.connectorId}` },
    'patch /api/v1/connectors/{id}': {
      path: (f) => `/api/v1/connectors/${f.connectorId}`,
      body: (_t, about) => ({ name: `renamed ${about.label}`, programIds: [about.programId] }),
    },
    'delete /api/v1/connectors/{id}': { path: (f) => `/api/v1/connectors/${f.connectorId}` },
    'post /api/v1/connectors/{id}/test': { path: (f) => `/api/v1/connectors/${f.connectorId}/test` },
    'post /api/v1/connectors/{id}/preview': { path: (f) => `/api/v1/connectors/${f.connectorId}/preview` },
    'get /api/v1/connectors/{id}/deliveries': { path: (f) => `/api/v1/connectors/${f.connectorId}/deliveries` },
    'post /api/v1/deliveries/{id}/retry': { path: (f) => `/api/v1/deliveries/${f.deliveryId}/retry` },
    'get /api/v1/deliveries/{id}/attempts': { path: (f) => `/api/v1/deliveries/${f.deliveryId}/attempts` },
    'post /api/v1/connectors/{id}/recover': {
      path: (f) => `/api/v1/connectors/${f.connectorId}/recover`,
      body: () => ({ since: iso(-60_000) }),
    },
    'get /api/v1/connectors/{id}/recoveries/{recoveryId}': {
      path: (f) => `/api/v1/connectors/${f.connectorId}/recoveries/${f.recoveryId}`,
    },
    'post /api/v1/connectors/{id}/replay': {
      path: (f) => `/api/v1/connectors/${f.connectorId}/replay`,
      body: () => ({ from: iso(-3_600_000), to: iso(60_000) }),
    },

    'post /api/v1/hooks': {
      path: () => '/api/v1/hooks',
      body: (_t, about) => ({ event: 'referral.created', targetUrl: 'http://127.0.0.1:9/zap', programId: about.programId }),
    },
    'delete /api/v1/hooks/{id}': { path: (f) => `/api/v1/hooks/${f.hookId}` },
    'get /api/v1/hooks/samples/{event}': { path: () => '/api/v1/hooks/samples/referral.created', queries: byProgram },

    'get /api/v1/inbound-requests': {
      path: () => '/api/v1/inbound-requests',
      queries: (f) => [`connectorId=${f.inboundConnectorId}`, 'source=inbound'],
    },

    'post /api/v1/members': {
      path: () => '/api/v1/members',
      body: (_t, about) => ({ programId: about.programId, email: `${unique('new')}@${about.tag}.test` }),
    },
    'get /api/v1/members': { path: () => '/api/v1/members', queries: (f) => [...byProgram(f), `email=${f.memberEmail}`] },
    'get /api/v1/members/{id}': { path: (f) => `/api/v1/members/${f.memberId}` },
    'patch /api/v1/members/{id}': { path: (f) => `/api/v1/members/${f.memberId}`, body: () => ({ firstName: 'Renamed' }) },
    'delete /api/v1/members/{id}': { path: (f) => `/api/v1/members/${f.memberId}` },
    'post /api/v1/members/{id}/invites': {
      path: (f) => `/api/v1/members/${f.memberId}/invites`,
      // The member in the path decides the program; the addresses are the caller's own input, echoed back.
      body: () => ({ emails: [`${unique('invite')}@friends.test`] }),
    },
    'post /api/v1/customers/events': {
      path: () => '/api/v1/customers/events',
      body: (_t, about) => ({ programId: about.programId, email: `${unique('customer')}@${about.tag}.test`, type: 'purchase' }),
    },

    'post /api/v1/programs': {
      path: () => '/api/v1/programs',
      body: () => ({ name: 'New program', slug: unique('new'), landingUrl: 'https://acme.example/', currency: 'USD', rewardRules: [] }),
      ownProgram: 'not-allowed',
    },
    'get /api/v1/programs': { path: () => '/api/v1/programs' },
    'get /api/v1/programs/{id}': { path: (f) => `/api/v1/programs/${f.programId}` },
    'patch /api/v1/programs/{id}': { path: (f) => `/api/v1/programs/${f.programId}`, body: () => ({ name: 'Renamed program' }) },
    'post /api/v1/programs/{id}/publishable-key': { path: (f) => `/api/v1/programs/${f.programId}/publishable-key` },

    'post /api/v1/conversions': {
      path: () => '/api/v1/conversions',
      body: (target, about) => ({
        programId: target.programId,
        referralCode: about.referralCode,
        email: `${unique('conv')}@${about.tag}.test`,
      }),
    },
    'get /api/v1/referrals': {
      path: () => '/api/v1/referrals',
      queries: (f) => [...byProgram(f), `memberId=${f.memberId}`, `email=${f.referralEmail}`, 'status=pending'],
    },
    'get /api/v1/referrals/{id}': { path: (f) => `/api/v1/referrals/${f.referralId}` },
    'patch /api/v1/referrals/{id}': { path: (f) => `/api/v1/referrals/${f.referralId}`, body: () => ({ status: 'qualified' }) },
    'post /api/v1/events': {
      path: () => '/api/v1/events',
      body: (target, about) => ({
        programId: target.programId,
        referral: { id: about.referralId },
        type: 'purchase',
        amount: 10,
        currency: 'USD',
        idempotencyKey: unique('evt'),
      }),
    },

    'get /api/v1/rewards': {
      path: () => '/api/v1/rewards',
      queries: (f) => [...byProgram(f), `referralId=${f.referralId}`, `memberId=${f.memberId}`],
    },
    'post /api/v1/rewards/{id}/approve': { path: (f) => `/api/v1/rewards/${f.rewardIds[0]}/approve` },
    'post /api/v1/rewards/{id}/deny': { path: (f) => `/api/v1/rewards/${f.rewardIds[1]}/deny` },

    'get /api/v1/payouts': {
      path: () => '/api/v1/payouts',
      queries: (f) => [...byProgram(f), `memberId=${f.memberId}`, `connectorId=${f.manualConnectorId}`],
    },
    'get /api/v1/payouts/{id}': { path: (f) => `/api/v1/payouts/${f.payoutIds[0]}` },
    'post /api/v1/payouts/{id}/send': { path: (f) => `/api/v1/payouts/${f.payoutIds[0]}/send` },
    'post /api/v1/payouts/{id}/retry': { path: (f) => `/api/v1/payouts/${f.payoutIds[1]}/retry` },
    'post /api/v1/payouts/{id}/cancel': { path: (f) => `/api/v1/payouts/${f.payoutIds[2]}/cancel` },
    'post /api/v1/payouts/{id}/mark-paid': {
      path: (f) => `/api/v1/payouts/${f.payoutIds[3]}/mark-paid`,
      body: (_t, about) => ({ reference: `bank-${about.label}` }),
    },

    'post /api/v1/schedules': {
      path: () => '/api/v1/schedules',
      body: (target, about) => ({
        name: unique('sched'),
        connectorId: target.emailConnectorId,
        programIds: [about.programId],
        every: '24h',
        format: 'csv',
        fileName: 'x-{runId}.csv',
        fields: [{ target: 'email', source: 'referral.email' }],
        paused: true,
      }),
    },
    'get /api/v1/schedules': { path: () => '/api/v1/schedules' },
    'get /api/v1/schedules/{id}': { path: (f) => `/api/v1/schedules/${f.scheduleId}` },
    'patch /api/v1/schedules/{id}': {
      path: (f) => `/api/v1/schedules/${f.scheduleId}`,
      body: (_t, about) => ({ name: `renamed ${about.label}`, programIds: [about.programId] }),
    },
    'delete /api/v1/schedules/{id}': { path: (f) => `/api/v1/schedules/${f.scheduleId}` },
    'post /api/v1/schedules/{id}/run': { path: (f) => `/api/v1/schedules/${f.scheduleId}/run` },
    'get /api/v1/schedules/{id}/runs': { path: (f) => `/api/v1/schedules/${f.scheduleId}/runs` },
    'post /api/v1/schedules/{id}/runs/{runId}/redeliver': { path: (f) => `/api/v1/schedules/${f.scheduleId}/runs/${f.runId}/redeliver` },
  };
  for (const resource of ['referrals', 'members', 'rewards', 'payouts']) {
    routes[`get /api/v1/exports/${resource}.csv`] = { path: () => `/api/v1/exports/${resource}.csv`, queries: byProgram };
  }
  return new Map(Object.entries(routes));
}
