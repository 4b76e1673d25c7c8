import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A PayPal account on loopback for the Payouts v1 API, written from PayPal's documentation and
 * its published OpenAPI file: the OAuth client-credentials token, create batch payout (201,
 * PENDING), batch details, the 400 USER_BUSINESS_ERROR that refuses a sender_batch_id used
 * before (naming and linking the original batch), 422 INSUFFICIENT_FUNDS against the balance,
 * 400 VALIDATION_ERROR for a receiver that is not an email, and items whose transaction status
 * moves on with each read. Error bodies carry name, message and debug_id as the spec requires, so
 * Prism in front of it can check every answer.
 */

export interface PayPalFakeOptions {
  clientId: string;
  clientSecret: string;
  /** Seconds a token lives (PayPal's are hours); tests shorten it. */
  tokenLifetimeSeconds?: number;
}

/** The transaction statuses an item goes through, one per batch read; the last one stays. */
export interface ItemPlan {
  statuses: string[];
  /** The item's `errors` once its status is FAILED, RETURNED, BLOCKED, … */
  error?: { name: string; message: string };
}

export interface PayPalFakeBatch {
  payoutBatchId: string;
  senderBatchId: string;
  emailSubject?: string;
  items: Array<{
    payoutItemId: string;
    senderItemId?: string;
    receiver: string;
    recipientType: string;
    amount: { value: string; currency: string };
    note?: string;
    plan: ItemPlan;
    reads: number;
  }>;
  timeCreated: string;
}

export interface PayPalFakeRequest {
  method: string;
  path: string;
  authorization?: string;
  body: unknown;
  /** When it arrived (ms since epoch), so a test can measure the waits between retries. */
  at: number;
}

export type PayPalFakeFailure = (
  | { status: 429; retryAfter?: string }
  | { status: 500 | 503 }
  /** Creates the batch, then answers 500 as if the answer was lost on PayPal's side. */
  | { status: 500; afterCreate: true }
) & {
  /** Only a call with this method takes it (default: the next call, whatever its method). */
  method?: 'GET' | 'POST';
};

export interface PayPalFake {
  url: string;
  tokenRequests: number;
  /** Every request under /v1/payments, in order. */
  apiRequests: PayPalFakeRequest[];
  /** Batches by payout_batch_id: each one is money sent. */
  batches: Map<string, PayPalFakeBatch>;
  /** Available balance per currency; a payout above it is refused with INSUFFICIENT_FUNDS. */
  balance: Map<string, number>;
  /** How items to this receiver progress (default: PENDING on the first read, then SUCCESS). */
  plans: Map<string, ItemPlan>;
  /** When false, the duplicate answer names no original batch (links left out). */
  linkDuplicates: boolean;
  /** When true, tokens are dead on arrival: every payouts call answers 401. */
  issueDeadTokens: boolean;
  /** Invalidates every token issued so far (the next API call answers 401). */
  expireTokens(): void;
  /** The next `times` payouts calls fail this way. */
  failNext(failure: PayPalFakeFailure, times?: number): void;
  reset(): void;
  close(): Promise<void>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DEFAULT_PLAN: ItemPlan = { statuses: ['PENDING', 'SUCCESS'] };
const DEFAULT_BALANCE = 1_000_000;

const paypalId = () =>
  crypto
    .randomBytes(10)
    .toString('base64url')
    .replace(/[^A-Za-z0-9]/g, '')
    .toUpperCase()
    .padEnd(13, 'X')
    .slice(0, 13);
const debugId = () => crypto.randomBytes(7).toString('hex').slice(0, 13);

function paypalError(name: string, message: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    message,
    debug_id: debugId(),
    information_link: 'https://developer.paypal.com/docs/api/payments.payouts-batch/#errors',
    ...extra,
  };
}

export async function startPayPalFake(options: PayPalFakeOptions): Promise<PayPalFake> {
  const tokens = new Map<string, number>();
  const bySenderBatchId = new Map<string, string>();
  const failures: PayPalFakeFailure[] = [];
  const lifetime = options.tokenLifetimeSeconds ?? 32_400;

  function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  }

  function issueToken(req: http.IncomingMessage, body: string, res: http.ServerResponse) {
    fake.tokenRequests++;
    const expected = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return send(res, 401, { error: 'invalid_client', error_description: 'Client Authentication failed' });
    }
    if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') {
      return send(res, 400, { error: 'unsupported_grant_type', error_description: 'Grant Type is NULL' });
    }
    const token = `A21AA${crypto.randomBytes(24).toString('base64url')}`;
    if (!fake.issueDeadTokens) tokens.set(token, Date.now() + lifetime * 1000);
    send(res, 200, {
      scope: 'https://uri.paypal.com/services/payments/payouts https://uri.paypal.com/payments/payouts',
      access_token: token,
      token_type: 'Bearer',
      app_id: 'APP-80W284485P519543T',
      expires_in: lifetime,
      nonce: `${new Date().toISOString()}${crypto.randomBytes(8).toString('hex')}`,
    });
  }

  function authorised(req: http.IncomingMessage): boolean {
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const expiry = match ? tokens.get(match[1]!) : undefined;
    return expiry !== undefined && expiry > Date.now();
  }

  function itemJson(batch: PayPalFakeBatch, item: PayPalFakeBatch['items'][number], read: boolean) {
    if (read) item.reads++;
    const status = item.plan.statuses[Math.min(item.reads, item.plan.statuses.length) - 1] ?? item.plan.statuses[0]!;
    const failed = !['SUCCESS', 'PENDING', 'UNCLAIMED', 'ONHOLD'].includes(status);
    const error =
      status === 'UNCLAIMED'
        ? paypalError('RECEIVER_UNREGISTERED', 'Receiver is unregistered')
        : failed && item.plan.error
          ? paypalError(item.plan.error.name, item.plan.error.message)
          : undefined;
    return {
      status,
      json: {
        payout_item_id: item.payoutItemId,
        ...(status === 'SUCCESS' || status === 'UNCLAIMED' ? { transaction_id: `${item.payoutItemId.slice(0, 9)}TXN` } : {}),
        transaction_status: status,
        payout_item_fee: { currency: item.amount.currency, value: '0.00' },
        payout_batch_id: batch.payoutBatchId,
        payout_item: {
          recipient_type: item.recipientType,
          amount: item.amount,
          ...(item.note ? { note: item.note } : {}),
          receiver: item.receiver,
          ...(item.senderItemId ? { sender_item_id: item.senderItemId } : {}),
          recipient_wallet: 'PAYPAL',
        },
        time_processed: new Date().toISOString(),
        ...(error ? { errors: error } : {}),
        links: [{ href: `${fake.url}/v1/payments/payouts-item/${item.payoutItemId}`, rel: 'item', method: 'GET' }],
      },
    };
  }

  function senderHeader(batch: PayPalFakeBatch) {
    return {
      sender_batch_id: batch.senderBatchId,
      ...(batch.emailSubject ? { email_subject: batch.emailSubject } : {}),
    };
  }

  function createBatch(body: unknown): { status: number; body: unknown; batch?: PayPalFakeBatch } {
    const request = (body ?? {}) as {
      sender_batch_header?: { sender_batch_id?: string; email_subject?: string; recipient_type?: string };
      items?: Array<{
        recipient_type?: string;
        receiver?: string;
        amount?: { value?: string; currency?: string };
        note?: string;
        sender_item_id?: string;
      }>;
    };
    const header = request.sender_batch_header;
    const items = request.items ?? [];
    if (!header || items.length === 0) {
      return {
        status: 400,
        body: paypalError('VALIDATION_ERROR', 'Invalid request - see details', {
          details: [{ field: 'items', location: 'body', issue: 'Required field is missing' }],
        }),
      };
    }
    const senderBatchId = header.sender_batch_id ?? paypalId();
    const existing = bySenderBatchId.get(senderBatchId);
    if (existing) {
      const link = {
        href: `https://api.sandbox.paypal.com/v1/payments/payouts/${existing}`,
        rel: 'self',
        method: 'GET',
        encType: 'application/json',
      };
      return {
        status: 400,
        body: paypalError('USER_BUSINESS_ERROR', 'User business error.', {
          details: [
            {
              field: 'SENDER_BATCH_ID',
              location: 'body',
              issue: 'Batch with given sender_batch_id already exists',
              ...(fake.linkDuplicates ? { link: [link] } : {}),
            },
          ],
          links: [],
        }),
      };
    }
    const invalid = items.flatMap((item, index) => {
      const type = item.recipient_type ?? header.recipient_type;
      if (!item.amount?.value || !item.amount.currency)
        return [{ field: `items[${index}].amount`, location: 'body', issue: 'Required field is missing' }];
      if (type === 'EMAIL' && !EMAIL.test(item.receiver ?? '')) {
        return [{ field: `items[${index}].receiver`, location: 'body', issue: 'Receiver is invalid or does not match with type' }];
      }
      return [];
    });
    if (invalid.length > 0)
      return { status: 400, body: paypalError('VALIDATION_ERROR', 'Invalid request - see details', { details: invalid, links: [] }) };

    const totals = new Map<string, number>();
    for (const item of items) totals.set(item.amount!.currency!, (totals.get(item.amount!.currency!) ?? 0) + Number(item.amount!.value));
    for (const [currency, total] of totals) {
      if (total > (fake.balance.get(currency) ?? DEFAULT_BALANCE)) {
        return {
          status: 422,
          body: paypalError('INSUFFICIENT_FUNDS', 'Sender does not have sufficient funds. Please add funds and retry.'),
        };
      }
    }
    for (const [currency, total] of totals) fake.balance.set(currency, (fake.balance.get(currency) ?? DEFAULT_BALANCE) - total);

    const batch: PayPalFakeBatch = {
      payoutBatchId: paypalId(),
      senderBatchId,
      emailSubject: header.email_subject,
      timeCreated: new Date().toISOString(),
      items: items.map((item) => ({
        payoutItemId: paypalId(),
        senderItemId: item.sender_item_id,
        receiver: item.receiver!,
        recipientType: item.recipient_type ?? header.recipient_type ?? 'EMAIL',
        amount: { value: item.amount!.value!, currency: item.amount!.currency! },
        note: item.note,
        plan: fake.plans.get(item.receiver!) ?? DEFAULT_PLAN,
        reads: 0,
      })),
    };
    fake.batches.set(batch.payoutBatchId, batch);
    bySenderBatchId.set(senderBatchId, batch.payoutBatchId);
    return {
      status: 201,
      batch,
      body: {
        batch_header: { payout_batch_id: batch.payoutBatchId, batch_status: 'PENDING', sender_batch_header: senderHeader(batch) },
        links: [
          { href: `${fake.url}/v1/payments/payouts/${batch.payoutBatchId}`, rel: 'self', method: 'GET', encType: 'application/json' },
        ],
      },
    };
  }

  function batchDetails(batch: PayPalFakeBatch) {
    const items = batch.items.map((item) => itemJson(batch, item, true));
    const final = items.every((item) => item.status !== 'PENDING' && item.status !== 'ONHOLD');
    const currency = batch.items[0]!.amount.currency;
    const total = batch.items.reduce((sum, item) => sum + Number(item.amount.value), 0);
    return {
      total_items: items.length,
      total_pages: 1,
      batch_header: {
        payout_batch_id: batch.payoutBatchId,
        batch_status: final ? 'SUCCESS' : 'PROCESSING',
        time_created: batch.timeCreated,
        ...(final ? { time_completed: new Date().toISOString() } : {}),
        sender_batch_header: senderHeader(batch),
        amount: { currency, value: batch.items[0]!.amount.value.includes('.') ? total.toFixed(2) : String(total) },
        fees: { currency, value: '0.00' },
      },
      items: items.map((item) => item.json),
      links: [{ href: `${fake.url}/v1/payments/payouts/${batch.payoutBatchId}?page_size=1000&page=1`, rel: 'self', method: 'GET' }],
    };
  }

  function handlePayouts(req: http.IncomingMessage, path: string, raw: string, res: http.ServerResponse) {
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return send(res, 400, paypalError('MALFORMED_REQUEST', 'Incoming JSON request does not map to API request'));
    }
    fake.apiRequests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body, at: Date.now() });
    if (!authorised(req)) {
      return send(
        res,
        401,
        paypalError(
          'AUTHENTICATION_FAILURE',
          'Authentication failed due to invalid authentication credentials or a missing Authorization header.',
        ),
      );
    }
    const index = failures.findIndex((candidate) => !candidate.method || candidate.method === req.method);
    const failure = index >= 0 ? failures.splice(index, 1)[0] : undefined;
    if (failure?.status === 429) {
      return send(
        res,
        429,
        paypalError('RATE_LIMIT_REACHED', 'Too many requests. Blocked due to rate limiting.'),
        failure.retryAfter ? { 'retry-after': failure.retryAfter } : {},
      );
    }
    if (failure && !('afterCreate' in failure))
      return send(res, failure.status, paypalError('INTERNAL_SERVER_ERROR', 'An internal server error occurred.'));

    const [pathname] = path.split('?');
    if (req.method === 'POST' && pathname === '/v1/payments/payouts') {
      const created = createBatch(body);
      if (failure) return send(res, 500, paypalError('INTERNAL_SERVER_ERROR', 'An internal server error occurred.'));
      return send(res, created.status, created.body);
    }
    const batchMatch = /^\/v1\/payments\/payouts\/([^/]+)$/.exec(pathname ?? '');
    if (req.method === 'GET' && batchMatch) {
      const batch = fake.batches.get(decodeURIComponent(batchMatch[1]!));
      if (!batch) return send(res, 404, paypalError('INVALID_RESOURCE_ID', 'Requested resource ID was not found.'));
      return send(res, 200, batchDetails(batch));
    }
    send(res, 404, paypalError('NOT_FOUND', 'The specified resource does not exist.'));
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      if (req.method === 'POST' && path === '/v1/oauth2/token') return issueToken(req, raw, res);
      if (path.startsWith('/v1/payments/')) return handlePayouts(req, path, raw, res);
      send(res, 404, paypalError('NOT_FOUND', 'The specified resource does not exist.'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const fake: PayPalFake = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tokenRequests: 0,
    apiRequests: [],
    batches: new Map(),
    balance: new Map(),
    plans: new Map(),
    linkDuplicates: true,
    issueDeadTokens: false,
    expireTokens: () => tokens.clear(),
    failNext: (failure, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(failure);
    },
    reset() {
      fake.tokenRequests = 0;
      fake.apiRequests.length = 0;
      fake.batches.clear();
      fake.balance.clear();
      fake.plans.clear();
      fake.linkDuplicates = true;
      fake.issueDeadTokens = false;
      bySenderBatchId.clear();
      failures.length = 0;
      tokens.clear();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
