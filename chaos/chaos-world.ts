import { randomBytes } from 'node:crypto';
import { startHubSpotFake, type HubSpotFake } from '../test/support/hubspot-fake.js';
import { startPayPalFake, type PayPalFake } from '../test/support/paypal-fake.js';
import { startSftpTestServer, type SftpTestServer } from '../test/support/sftp-test-server.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import type { HubBody, HubClient } from './hub-client.js';
import { startWebhookSink, type WebhookSink } from './webhook-sink.js';

export const RENEWAL_CAP = 3;
export const MEMBER_COUNT = 40;

/** The receivers the soak checks at the end, each behind a proxy the soak can turn bad. */
export interface ChaosReceivers {
  webhook: WebhookSink;
  hubspot: HubSpotFake;
  paypal: PayPalFake;
  sftp: SftpTestServer;
  proxies: Record<'webhook' | 'hubspot' | 'paypal', FaultProxy>;
  close(): Promise<void>;
}

export interface ChaosWorld {
  programId: string;
  members: Array<{ id: string; email: string; referralCode: string }>;
  connectorIds: Record<'webhook' | 'hubspot' | 'paypal' | 'sftp', string>;
  scheduleId: string;
  /** When the connectors existed: every event from here on must reach them. */
  connectorsSince: Date;
}

export async function startReceivers(): Promise<ChaosReceivers & { secrets: Record<string, string> }> {
  const signingSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const accessToken = `pat-na1-${randomBytes(8).toString('hex')}`;
  const paypalCredentials = { clientId: `chaos-${randomBytes(6).toString('hex')}`, clientSecret: randomBytes(16).toString('hex') };
  const sftpPassword = randomBytes(12).toString('hex');
  const webhook = await startWebhookSink(signingSecret);
  const hubspot = await startHubSpotFake({ accessToken });
  const paypal = await startPayPalFake(paypalCredentials);
  const sftp = await startSftpTestServer({ username: 'chaos', password: sftpPassword });
  const proxies = {
    webhook: await startFaultProxy(new URL(webhook.url).origin),
    hubspot: await startFaultProxy(hubspot.url),
    paypal: await startFaultProxy(paypal.url),
  };
  return {
    webhook,
    hubspot,
    paypal,
    sftp,
    proxies,
    secrets: { signingSecret, accessToken, sftpPassword, ...paypalCredentials },
    async close() {
      for (const proxy of Object.values(proxies)) await proxy.close();
      await Promise.all([webhook.close(), hubspot.close(), paypal.close(), sftp.close()]);
    },
  };
}

async function created(client: HubClient, path: string, body: unknown): Promise<HubBody & { id: string }> {
  const answer = await client.call('POST', path, body);
  if (answer.status !== 201 && answer.status !== 200) throw new Error(`POST ${path} → ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as HubBody & { id: string };
}

/**
 * One program whose rules give: $10 cash to the referrer per conversion, a $5 coupon to the friend
 * held for an hour (a refund inside the hold cancels it), and 10% of each renewal to the referrer
 * for at most three renewals; every cash reward paid on its own through PayPal. Connectors: a
 * signed webhook and HubSpot (created with only their credentials), PayPal, and an SFTP schedule.
 */
export async function createWorld(
  client: HubClient,
  receivers: ChaosReceivers & { secrets: Record<string, string> },
  scheduleEvery: string,
): Promise<ChaosWorld> {
  const { secrets, proxies, sftp } = receivers;
  const webhook = await created(client, '/api/v1/connectors', {
    kind: 'webhook',
    name: 'Chaos webhook',
    // One request per event: the default 10 per second is below what this load writes to the log.
    settings: { url: `${proxies.webhook.url}/hooks`, requestsPerSecond: 100 },
    secrets: { signingSecret: secrets.signingSecret },
  });
  const hubspot = await created(client, '/api/v1/connectors', {
    kind: 'hubspot',
    name: 'Chaos HubSpot',
    settings: { baseUrl: proxies.hubspot.url },
    secrets: { accessToken: secrets.accessToken },
  });
  const paypal = await created(client, '/api/v1/connectors', {
    kind: 'paypal',
    name: 'Chaos PayPal',
    settings: { rewardKinds: ['cash'], baseUrl: proxies.paypal.url },
    secrets: { clientId: secrets.clientId, clientSecret: secrets.clientSecret },
  });
  const sftpConnector = await created(client, '/api/v1/connectors', {
    kind: 'sftp',
    name: 'Chaos SFTP',
    settings: { host: '127.0.0.1', port: sftp.port, username: 'chaos', directory: '/', hostKeySha256: sftp.hostKeySha256 },
    secrets: { password: secrets.sftpPassword },
  });
  const connectorsSince = new Date();
  const program = await created(client, '/api/v1/programs', {
    name: 'Chaos',
    slug: `chaos-${randomBytes(3).toString('hex')}`,
    landingUrl: 'https://chaos.example/welcome',
    currency: 'USD',
    payouts: { minimumAmount: 0, autoPay: true },
    rewardRules: [
      { name: 'Referrer bonus', trigger: 'conversion', recipient: 'member', amount: { type: 'fixed', value: 10 }, kind: 'cash' },
      {
        name: 'Friend coupon',
        trigger: 'conversion',
        recipient: 'referral',
        amount: { type: 'fixed', value: 5 },
        kind: 'coupon',
        hold: '1h',
      },
      {
        name: 'Renewals',
        trigger: 'subscription_renewed',
        recipient: 'member',
        amount: { type: 'percent', value: 10, cap: 15 },
        kind: 'cash',
        limits: { maxPerReferral: RENEWAL_CAP },
      },
    ],
  });
  const schedule = await created(client, '/api/v1/schedules', {
    name: 'Chaos referrals',
    connectorId: sftpConnector.id,
    programIds: [program.id],
    every: scheduleEvery,
    fileName: 'referrals-{runId}.csv',
    fields: [
      { target: 'id', source: 'referral.id' },
      { target: 'email', source: 'referral.email' },
    ],
  });
  const members = [];
  for (let i = 0; i < MEMBER_COUNT; i++) {
    const member = await created(client, '/api/v1/members', {
      programId: program.id,
      email: `advocate${i}@chaos.example`,
      firstName: `Ann${i}`,
    });
    members.push({ id: member.id, email: member.email!, referralCode: member.referralCode! });
  }
  return {
    programId: program.id,
    members,
    connectorIds: { webhook: webhook.id, hubspot: hubspot.id, paypal: paypal.id, sftp: sftpConnector.id },
    scheduleId: schedule.id,
    connectorsSince,
  };
}
