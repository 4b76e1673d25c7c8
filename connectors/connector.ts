import type { LookupFunction } from 'node:net';
import type { z } from 'zod';
import type { DefaultMapping } from './mapping/default-mapping.js';

/**
 * The one contract every external system is adapted to.
 * Connectors know nothing about HTTP routes, workflows or tables: they get parsed
 * settings and secrets, and talk to one provider.
 */

/**
 * How a failure should be treated by the caller (activities map these onto retry policy).
 * `gone`: the target says it no longer exists (a Zap turned off answers 410), so the sync removes
 * the subscription instead of retrying.
 */
export type ConnectorErrorKind = 'auth' | 'invalid' | 'rate_limited' | 'transient' | 'permanent' | 'gone';

export class ConnectorError extends Error {
  readonly kind: ConnectorErrorKind;
  /** Milliseconds the provider asked us to wait (Retry-After, rate-limit headers). */
  readonly retryAfterMs?: number;
  /** Provider HTTP status (or protocol reply code) when there was one. */
  readonly status?: number;
  /** The start of the provider's answer, secrets blanked out (for the delivery ledger). */
  readonly response?: string;

  constructor(
    kind: ConnectorErrorKind,
    message: string,
    opts: { retryAfterMs?: number; status?: number; response?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'ConnectorError';
    this.kind = kind;
    this.retryAfterMs = opts.retryAfterMs;
    this.status = opts.status;
    this.response = opts.response;
  }

  /** auth/invalid/permanent/gone never succeed on retry; the others may. */
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'transient';
  }
}

/** A record ready to send: already mapped, with a key the provider can upsert or dedupe on. */
export interface OutboundRecord {
  /** Stable across retries: the upsert key (email, external id) or the event id. */
  key: string;
  /** The event this record came from (id, type, time) — webhook-style destinations send it. */
  event: { id: string; type: string; timestamp: string };
  /** The mapped payload (or the object's full public JSON when no mapping is configured). */
  data: Record<string, unknown>;
}

/** `response`: the start of the provider's answer for this record, secrets blanked out. */
export type RecordResult =
  | { key: string; ok: true; status?: number; response?: string }
  | { key: string; ok: false; error: { kind: ConnectorErrorKind; message: string; status?: number; response?: string } };

/** Real-time destination: upserts records in the provider's batch size. */
export interface Destination {
  /** Largest number of records one push() call may carry. */
  readonly batchSize: number;
  /** Sustained requests per second the provider allows for one account; none when it publishes no such limit. */
  readonly requestsPerSecond?: number;
  /**
   * Batches one connector may have in flight at once (default 1). Above 1 only where push is an
   * idempotent upsert, since batches after a failed one may have landed and are sent again.
   */
  readonly maxInFlight?: number;
  /**
   * Sends one batch (≤ batchSize). Returns one result per record for per-record outcomes;
   * throws ConnectorError when the whole batch failed (auth, 429, 5xx, network).
   */
  push(records: OutboundRecord[]): Promise<RecordResult[]>;
}

/** A rendered file (CSV) for SFTP/FTPS/email destinations. */
export interface OutboundFile {
  name: string;
  content: Buffer;
  contentType: string;
}

export interface FileDestination {
  /** Delivers the file; re-delivering the same name must overwrite, never duplicate. */
  deliver(file: OutboundFile): Promise<{ location: string }>;
}

/** One email to one person (a sign-in link, an invite), sent through an `email` connector. */
export interface OutboundMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers (`List-Unsubscribe`, …); single-line values, never the ones the connector writes itself. */
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Sends one message; throws ConnectorError (a refused recipient is permanent, a 4xx reply transient). */
  send(message: OutboundMessage): Promise<{ messageId: string }>;
}

/** Parsed connector configuration as stored on a `connectors` row. */
export interface ConnectorConfig<S = Record<string, unknown>, K = Record<string, unknown>> {
  settings: S;
  secrets: K;
}

/** Shared runtime pieces a connector may need; injected so tests can pass their own. */
export interface ConnectorRuntime {
  /** Refuses private/loopback/link-local targets unless allowed. Throws ConnectorError('invalid'). */
  assertTargetAllowed(url: string): Promise<void>;
  /**
   * DNS lookup that refuses private addresses at connect time (against DNS rebinding between
   * the check above and the connection). HTTP clients pass it to their agents.
   */
  lookup?: LookupFunction;
  /** Request timeout for outbound calls, in milliseconds. */
  timeoutMs: number;
}

/** Looks up who a CRM deal is about, for inbound deal webhooks that carry only the deal id. */
export interface DealContacts {
  /** The emails of the deal's contacts; throws ConnectorError. */
  emails(dealId: string): Promise<string[]>;
}

/** One payout to send: the payout id is the provider's idempotency key on every attempt. */
export interface PayoutRequest {
  /** `pay_…`: PayPal sender_batch_id and sender_item_id, Tremendous external_id, Tango externalRefID. */
  payoutId: string;
  /** Exact decimal string as stored (e.g. "20", "20.5", "15.25"); see formatPayoutAmount. */
  amount: string;
  /** ISO 4217, upper case. */
  currency: string;
  /** The reward kind this payout settles (cash, gift_card, …). */
  rewardKind: string;
  recipient: {
    email: string;
    firstName?: string;
    lastName?: string;
    /** Member payout details: a PayPal address other than their email. */
    paypalEmail?: string;
  };
  /** Shown to the recipient where the provider allows a message. */
  note?: string;
}

/** Where a payout stands at the provider. */
export type PayoutState = 'sent' | 'paid' | 'unclaimed' | 'failed';

export interface PayoutOutcome {
  state: PayoutState;
  /** The provider's reference(s), e.g. "<payout_batch_id>/<payout_item_id>" or an order id. */
  providerReference: string;
  /** Why it failed, in the provider's words (insufficient funds, invalid recipient, …). */
  failureReason?: string;
  /** Machine-readable reason when failed. */
  failureCode?: 'insufficient_funds' | 'invalid_recipient' | 'rejected';
}

/**
 * Pays rewards. `pay` is idempotent by `payoutId`: sending the same request again (a retry, a
 * second worker, a crash between the provider's answer and our record) returns the first
 * payout's outcome and never pays twice. Recipient-level failures come back as `failed`
 * outcomes; auth, rate limits and provider or network errors are thrown as ConnectorError.
 */
export interface PayoutProvider {
  /** The reward kinds this connector pays (its `rewardKinds` setting). */
  readonly rewardKinds: readonly string[];
  /** Currencies the provider accepts; a request in another is refused before sending. */
  readonly currencies: readonly string[];
  /**
   * Nothing goes to a provider: `pay` only hands the payout to people, who pay it themselves and
   * mark it paid, so there is no status to follow.
   */
  readonly byHand?: boolean;
  pay(request: PayoutRequest): Promise<PayoutOutcome>;
  /** The payout's current state, looked up by its id and the reference `pay` returned. */
  status(payoutId: string, providerReference: string): Promise<PayoutOutcome>;
}

export interface ConnectorInstance {
  /** A cheap credentials probe; throws ConnectorError on failure. */
  check(): Promise<void>;
  destination?: Destination;
  fileDestination?: FileDestination;
  mailer?: Mailer;
  dealContacts?: DealContacts;
  payout?: PayoutProvider;
}

export interface ConnectorDefinition<S extends z.ZodType = z.ZodType, K extends z.ZodType = z.ZodType> {
  kind: string;
  displayName: string;
  /** Non-secret settings; also drives API validation, the UI form and JSON Schema docs. */
  settingsSchema: S;
  /** Write-only secrets: encrypted at rest, never returned or logged. */
  secretsSchema: K;
  /**
   * Every address the settings point at (URLs; hosts as `scheme://host:port`), so the hub can
   * refuse private targets when the connector is saved, before anything is sent.
   */
  targets(settings: z.infer<S>): string[];
  /**
   * A reason to refuse settings that ask for an insecure protocol (plain FTP), checked before the
   * schema so the API can answer `unsupported_protocol` rather than a generic validation error.
   */
  unsupportedProtocol?(rawSettings: unknown): string | undefined;
  /** A source (other systems post to the hub): it has no destination and the sync leaves it alone. */
  inbound?: boolean;
  /** Receives scheduled files (CSV by SFTP, FTPS, email) instead of real-time records. */
  scheduledFiles?: boolean;
  /**
   * A payout connector: what it pays, read from its settings alone, so payouts are matched to
   * connectors without opening any secret. `currencies` absent means any currency.
   */
  pays?(settings: z.infer<S>): { rewardKinds: readonly string[]; currencies?: readonly string[] };
  create(config: ConnectorConfig<z.infer<S>, z.infer<K>>, runtime: ConnectorRuntime): ConnectorInstance;
  /**
   * What a connector of this kind sends when it has no mapping of its own. Given the settings
   * because some targets depend on them (Salesforce's object and External ID field); called
   * without settings to describe the kind. Kinds without it send the object's full public JSON.
   */
  defaultMapping?(settings?: z.infer<S>): DefaultMapping;
}
