import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ListRewards200ResponseRewardsInnerValueCurrencyCodeEnum as CurrencyCodes } from 'tremendous';

/**
 * A Tremendous API v2 stand-in written from Tremendous' API reference and its official SDK's
 * schema: Bearer auth, POST /orders with its required fields, the external_id idempotency
 * (200 for a new order, 201 with the first order when the same external_id comes with the same
 * payload, 409 when it comes with another), 402 when the balance cannot pay, field errors in
 * Tremendous' {"errors": {"message", "payload"}} shape, GET /orders/{id or external_id} whose
 * reward delivery moves SCHEDULED → PENDING → SUCCEEDED as it is read (FAILED for recipients at
 * bounce.example), GET /funding_sources, a 429 rate limit with the documented body, and answers a
 * test can force (including a 5xx sent after the order was placed, like a lost answer).
 *
 * Simplifications: one balance, charged the denomination whatever the currency (no conversion,
 * no fees); a 402 places no order, so a retry after a top-up orders normally.
 */

export interface FakeRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** When it arrived (ms since epoch), so a test can measure the waits between retries. */
  at: number;
}

export type OrderStatus = 'CANCELED' | 'OPEN' | 'EXECUTED' | 'FAILED' | 'PENDING APPROVAL' | 'PENDING INTERNAL PAYMENT APPROVAL';
export type DeliveryStatus = 'SCHEDULED' | 'PENDING' | 'SUCCEEDED' | 'FAILED';

export interface FakeOrder {
  id: string;
  externalId?: string;
  /** The request body in canonical form (sorted keys), compared on a repeated external_id. */
  payload: string;
  campaignId?: string;
  status: OrderStatus;
  createdAt: string;
  amount: number;
  reward: {
    id: string;
    value: { denomination: number; currency_code: string };
    recipient: { name?: string; email: string };
    delivery: { method: string; status: DeliveryStatus };
  };
  /** GET /orders reads so far (delivery moves on with them). */
  reads: number;
}

/** An answer the fake gives to the next request instead of (or after) handling it. */
export type ForcedAnswer =
  | { status: 401 | 429 | 500 | 502 | 503; retryAfter?: string }
  /** Handles the request (an order is placed), then answers this 5xx: the caller never sees the order. */
  | { status: 500 | 502 | 503; afterCommit: true }
  /** Never answers (until close): for timeouts. */
  | { hang: true }
  /** Handles the request (an order may be placed), then resets the connection: a network failure. */
  | { drop: true; afterCommit?: boolean }
  /**
   * Handles the request (an order is placed) and keeps its answer until the test calls
   * `releaseHeld`: the caller may die or give up while Tremendous already has the order.
   */
  | { holdAfterCommit: true };

export interface TremendousFakeOptions {
  apiKey: string;
  /** Account balance the "balance" funding source draws on; default 1000. */
  balance?: number;
  campaigns?: readonly string[];
  products?: readonly string[];
  /** GET reads before an EXECUTED order's delivery succeeds (PENDING in between); default 2. */
  deliverAfterReads?: number;
  /** At most `max` requests per `windowMs` (Tremendous documents 60 per 30 s). */
  rateLimit?: { max: number; windowMs: number };
}

export interface TremendousFake {
  /** The API root, http://127.0.0.1:<port>/api/v2 */
  url: string;
  /** Orders by id, in the order they were placed. */
  orders: Map<string, FakeOrder>;
  balance: number;
  requests: FakeRequest[];
  forceNext(...answers: ForcedAnswer[]): void;
  /** Answers held by `holdAfterCommit` so far (released or not). */
  held: number;
  /** Lets the held answers go: sent as they were, or the connection reset instead. */
  releaseHeld(how: 'answer' | 'drop'): void;
  /** Moves an order (e.g. to FAILED or CANCELED, or out of approval). */
  setOrderStatus(orderId: string, status: OrderStatus): void;
  close(): Promise<void>;
}

const API_ROOT = '/api/v2';
const ORDER_PATH = /^\/orders\/([^/?]+)$/;
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*\.[A-Za-z]{2,}$/;
const CURRENCIES = new Set<string>(Object.values(CurrencyCodes));
const DELIVERY_METHODS = new Set(['EMAIL', 'LINK', 'PHONE']);
const FUNDING_SOURCE_ID = 'FS0BALANCE01';

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const errors = (message: string, payload: Record<string, unknown> = {}) => ({ errors: { message, payload } });

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const newId = () => crypto.randomBytes(6).toString('hex').toUpperCase();
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function startTremendousFake(options: TremendousFakeOptions): Promise<TremendousFake> {
  const forced: ForcedAnswer[] = [];
  const campaigns = new Set(options.campaigns ?? ['CAMP1']);
  const products = new Set(options.products ?? ['OKMHM2X2OHYV']);
  const deliverAfterReads = options.deliverAfterReads ?? 2;
  const byExternalId = new Map<string, string>();
  const sockets = new Set<Socket>();
  const holding: Array<(how: 'answer' | 'drop') => void> = [];
  let requestTimes: number[] = [];

  const fake: TremendousFake = {
    url: '',
    orders: new Map(),
    balance: options.balance ?? 1000,
    requests: [],
    forceNext: (...answers) => forced.push(...answers),
    held: 0,
    releaseHeld: (how) => {
      for (const release of holding.splice(0)) release(how);
    },
    setOrderStatus: (orderId, status) => {
      const order = fake.orders.get(orderId);
      if (!order) throw new Error(`no order ${orderId}`);
      order.status = status;
    },
    close: async () => undefined,
  };

  function orderJson(order: FakeOrder) {
    return {
      id: order.id,
      external_id: order.externalId ?? null,
      campaign_id: order.campaignId ?? null,
      created_at: order.createdAt,
      status: order.status,
      channel: 'API',
      payment: { subtotal: order.amount, total: order.amount, fees: 0, discount: 0, currency_code: 'USD' },
      rewards: [
        {
          id: order.reward.id,
          order_id: order.id,
          created_at: order.createdAt,
          expires_at: null,
          value: order.reward.value,
          recipient: order.reward.recipient,
          delivery: order.reward.delivery,
        },
      ],
    };
  }

  /** Field errors in the request's own shape; empty when the order can be placed. */
  function validate(body: Record<string, unknown>): { status: number; payload: Record<string, unknown> } | undefined {
    const payment = isObject(body.payment) ? body.payment : undefined;
    const reward = isObject(body.reward) ? body.reward : undefined;
    if (!reward) return { status: 422, payload: { reward: 'is required' } };
    if (typeof payment?.funding_source_id !== 'string') {
      return {
        status: 422,
        payload: {
          payment: {
            funding_source_id:
              'Your request was missing a funding_source_id. Tremendous requires this to determine how to pay for your order.',
          },
        },
      };
    }
    if (payment.funding_source_id !== 'balance' && payment.funding_source_id !== FUNDING_SOURCE_ID) {
      return { status: 400, payload: { payment: { funding_source_id: 'Funding source not found' } } };
    }
    const value = isObject(reward.value) ? reward.value : undefined;
    if (typeof value?.denomination !== 'number') return { status: 422, payload: { reward: { value: { denomination: 'is required' } } } };
    if (!(value.denomination > 0)) return { status: 400, payload: { reward: { value: { denomination: 'must be greater than 0' } } } };
    if (value.currency_code !== undefined && !CURRENCIES.has(String(value.currency_code))) {
      return { status: 400, payload: { reward: { value: { currency_code: 'is not a supported currency' } } } };
    }
    const recipient = isObject(reward.recipient) ? reward.recipient : undefined;
    if (typeof recipient?.email !== 'string') return { status: 422, payload: { reward: { recipient: { email: 'is required' } } } };
    if (!EMAIL.test(recipient.email)) return { status: 400, payload: { reward: { recipient: { email: 'is invalid' } } } };
    const chosen = Array.isArray(reward.products) ? reward.products : [];
    if (reward.campaign_id === undefined && chosen.length === 0) {
      return { status: 422, payload: { reward: { campaign_id: 'Either products or campaign_id must be specified' } } };
    }
    if (reward.campaign_id !== undefined && !campaigns.has(String(reward.campaign_id))) {
      return { status: 400, payload: { reward: { campaign_id: 'Campaign not found' } } };
    }
    if (chosen.some((product) => !products.has(String(product)))) {
      return { status: 400, payload: { reward: { products: 'At least one valid product required' } } };
    }
    const delivery = isObject(reward.delivery) ? reward.delivery : {};
    if (delivery.method !== undefined && !DELIVERY_METHODS.has(String(delivery.method))) {
      return { status: 400, payload: { reward: { delivery: { method: 'is not a delivery method' } } } };
    }
    return undefined;
  }

  function createOrder(raw: string): Answer {
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return { status: 400, body: errors('Invalid JSON') };
    }
    if (!isObject(body)) return { status: 400, body: errors('Invalid JSON') };
    const externalId = typeof body.external_id === 'string' ? body.external_id : undefined;
    const payload = canonical(body);
    if (externalId !== undefined) {
      const existing = fake.orders.get(byExternalId.get(externalId) ?? '');
      if (existing && existing.payload === payload) return { status: 201, body: { order: orderJson(existing) } };
      if (existing) {
        return { status: 409, body: errors('An order with this external_id already exists with different parameters', {}) };
      }
    }
    const invalid = validate(body);
    if (invalid) return { status: invalid.status, body: errors('Order failed: validation failure', invalid.payload) };

    const reward = body.reward as Record<string, unknown>;
    const value = reward.value as { denomination: number; currency_code?: string };
    const recipient = reward.recipient as { name?: string; email: string };
    const method = String((isObject(reward.delivery) ? reward.delivery.method : undefined) ?? 'EMAIL');
    if (value.denomination > fake.balance) {
      return {
        status: 402,
        body: errors('Insufficient funds', { payment: { funding_source_id: 'Your balance is insufficient to fund this order' } }),
      };
    }
    fake.balance -= value.denomination;
    const id = newId();
    const createdAt = new Date().toISOString();
    const order: FakeOrder = {
      id,
      externalId,
      payload,
      campaignId: typeof reward.campaign_id === 'string' ? reward.campaign_id : undefined,
      status: 'EXECUTED',
      createdAt,
      amount: value.denomination,
      reward: {
        id: newId(),
        value: { denomination: value.denomination, currency_code: value.currency_code ?? 'USD' },
        recipient: { ...(recipient.name === undefined ? {} : { name: recipient.name }), email: recipient.email },
        delivery: { method, status: 'SCHEDULED' },
      },
      reads: 0,
    };
    fake.orders.set(id, order);
    if (externalId !== undefined) byExternalId.set(externalId, id);
    return { status: 200, body: { order: orderJson(order) } };
  }

  function readOrder(idOrExternalId: string): Answer {
    const key = decodeURIComponent(idOrExternalId);
    const order = fake.orders.get(key) ?? fake.orders.get(byExternalId.get(key) ?? '');
    if (!order) return { status: 404, body: errors('Record not found') };
    order.reads += 1;
    const delivery = order.reward.delivery;
    if (order.status === 'EXECUTED' && (delivery.status === 'SCHEDULED' || delivery.status === 'PENDING')) {
      if (order.reads >= deliverAfterReads) {
        delivery.status = order.reward.recipient.email.toLowerCase().endsWith('@bounce.example') ? 'FAILED' : 'SUCCEEDED';
      } else delivery.status = 'PENDING';
    }
    return { status: 200, body: { order: orderJson(order) } };
  }

  function rateLimited(): boolean {
    if (!options.rateLimit) return false;
    const now = Date.now();
    requestTimes = requestTimes.filter((at) => now - at < options.rateLimit!.windowMs);
    if (requestTimes.length >= options.rateLimit.max) return true;
    requestTimes.push(now);
    return false;
  }

  function handle(method: string, path: string, headers: http.IncomingHttpHeaders, body: string): Answer {
    if (headers.authorization !== `Bearer ${options.apiKey}`) return { status: 401, body: errors('Unauthorized') };
    if (rateLimited()) return { status: 429, body: { error: { message: 'Too many requests', payload: {} } } };
    if (method === 'POST' && path === '/orders') return createOrder(body);
    const order = ORDER_PATH.exec(path);
    if (method === 'GET' && order) return readOrder(order[1]!);
    if (method === 'GET' && path === '/funding_sources') {
      return {
        status: 200,
        body: {
          funding_sources: [
            {
              id: FUNDING_SOURCE_ID,
              method: 'balance',
              usage_permissions: ['api'],
              status: 'active',
              type: 'COMMERCIAL',
              meta: { available_cents: Math.round(fake.balance * 100), pending_cents: 0 },
            },
          ],
        },
      };
    }
    return { status: 404, body: errors('Not found') };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://fake');
      fake.requests.push({ method: req.method ?? 'GET', path: url.pathname + url.search, headers: req.headers, body, at: Date.now() });
      const send = (answer: Answer) => {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      };
      if (!url.pathname.startsWith(`${API_ROOT}/`)) return send({ status: 404, body: errors('Not found') });
      const path = url.pathname.slice(API_ROOT.length);
      const next = forced.shift();
      if (next && 'hang' in next) return;
      if (next && 'drop' in next) {
        if (next.afterCommit) handle(req.method ?? 'GET', path, req.headers, body);
        return req.socket.resetAndDestroy();
      }
      if (next && 'holdAfterCommit' in next) {
        const answer = handle(req.method ?? 'GET', path, req.headers, body);
        fake.held += 1;
        holding.push((how) => (how === 'drop' ? req.socket.resetAndDestroy() : send(answer)));
        return;
      }
      if (next && !('afterCommit' in next)) {
        const headers = next.retryAfter === undefined ? undefined : { 'Retry-After': next.retryAfter };
        if (next.status === 401) return send({ status: 401, headers, body: errors('Unauthorized') });
        if (next.status === 429) return send({ status: 429, headers, body: { error: { message: 'Too many requests', payload: {} } } });
        return send({ status: next.status, headers, body: errors('Internal server error') });
      }
      const answer = handle(req.method ?? 'GET', path, req.headers, body);
      if (next) return send({ status: next.status, body: errors('Internal server error') });
      send(answer);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${API_ROOT}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return fake;
}
