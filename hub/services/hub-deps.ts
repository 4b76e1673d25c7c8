import type { SecretBox } from '../../connectors/security/secret-box.js';
import type { Client } from '@temporalio/client';
import type { Logger } from '../../lib/logger.js';
import type { ConnectorWaker } from '../../workflows/dispatch/connector-waker.js';
import type { PayoutWaker } from '../../workflows/dispatch/payout-waker.js';
import type { ShareEmailWaker } from '../../workflows/dispatch/share-email-waker.js';
import type { Db, Sql } from '../../schema/db.js';
import type { LifecycleDispatcher } from '../../workflows/dispatch/lifecycle-dispatcher.js';

/** Everything the hub's handlers and services need, passed explicitly (factories over singletons). */
export interface HubDeps {
  db: Db;
  sql: Sql;
  logger: Logger;
  /** Base URL for links we hand out (`<publicUrl>/r/<code>`), without a trailing slash. */
  publicUrl: string;
  /** Hands committed referral events to Temporal; absent in processes that only accept facts. */
  dispatcher?: LifecycleDispatcher;
  /** Temporal client for schedules and run-now; absent in processes without Temporal. */
  temporal?: { client: Client; taskQueue: string };
  /** Starts/wakes connectorSync workflows; absent when there is no Temporal client. */
  connectorWaker?: ConnectorWaker;
  /** Wakes payouts waiting for a provider when connectors change; absent when there is no Temporal client. */
  payoutWaker?: PayoutWaker;
  /** Starts the workflows that send queued invites; absent when there is no Temporal client (a sweep elsewhere sends them). */
  shareEmailWaker?: ShareEmailWaker;
  /** Verifies unsubscribe links (derived from HUB_SECRET_KEY; the worker signs with the same key). */
  unsubscribeKey: Buffer;
  /** Seals connector secrets (AES-256-GCM, key from HUB_SECRET_KEY). */
  secretBox: SecretBox;
  /** HUB_ALLOW_PRIVATE_TARGETS: let connectors reach private/loopback addresses. */
  allowPrivateTargets: boolean;
  bootstrapApiKey?: string;
  bodyLimitBytes: number;
  /** Requests per minute on the public tracking endpoints (defaults in TRACK_RATE_LIMITS). */
  trackRateLimits?: Partial<{ perKey: number; clicksPerIp: number; conversionsPerIp: number }>;
  /**
   * Derived from HUB_SECRET_KEY: signs the hosted pages' form tokens and member portal session
   * cookies, so rotating the secret key signs every member out.
   */
  pageSecret: string;
  /** Derived from HUB_SECRET_KEY: signs console session cookies and the sign-in form's token. */
  consoleSecret: string;
  /** HUB_SESSION_IDLE: a console session unused this long is signed out (default 1 h). */
  consoleIdleMs?: number;
  /** The Temporal Web UI, for links from the console (the dev server's UI under `npm start`). */
  temporalUiUrl?: string;
  /** Salt for hashing IPs of clicks. */
  ipHashSalt: string;
  /** HUB_TRUSTED_PROXIES: IPs/CIDRs whose X-Forwarded-For names the client; none by default. */
  trustedProxies?: string[];
  /** An export whose client takes nothing off the socket for this long is dropped (default 30 s). */
  exportIdleTimeoutMs?: number;
  /** HUB_READY_MAX_BACKLOG_AGE: /readyz is 503 once the oldest undispatched referral event is older (ms). */
  readyMaxBacklogAgeMs?: number;
  /** /readyz asks Temporal too; returns false when unreachable. */
  temporalReady: () => Promise<boolean>;
  /** STRIPE_WEBHOOK_SECRET: turns on POST /webhooks/stripe (404 without it). */
  stripeWebhookSecret?: string;
  /** HUBSPOT_APP_SECRET: turns on POST /webhooks/hubspot (404 without it). */
  hubspotAppSecret?: string;
  /** HUBSPOT_QUALIFIED_STAGES / HUBSPOT_APPROVED_STAGES: deal stage ids that move a referral. */
  hubspotQualifiedStages?: string[];
  hubspotApprovedStages?: string[];
}
