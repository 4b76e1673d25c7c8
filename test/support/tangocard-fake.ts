import crypto from 'node:crypto';
import { serveJsonFake, type FakeRequest } from './serve-json-fake.js';

/**
 * A Tango Card RaaS v2 stand-in written from Tango's API documentation and the swagger of its
 * client starter: HTTP Basic auth with the platform name and key, POST /orders with its required
 * fields (recipient email and first name when Tango sends the email), the catalog's utids and
 * value ranges, the account balance (402 Insufficient Funds, topped up by the test), one order per
 * externalRefID per account (a repeat answers 200 with the first order, or, when the test asks, a
 * 409 naming the duplicate), order details and the order list filtered by externalRefID, orders
 * that stay PENDING for some reads before COMPLETE, and answers a test can force (429 with
 * Retry-After, 5xx, a 5xx after the order was placed).
 */

export interface TangoCardFakeAccount {
  accountIdentifier: string;
  customerIdentifier: string;
  balance: number;
  currencyCode?: string;
}

export interface TangoCardFakeItem {
  utid: string;
  rewardName: string;
  currencyCode: string;
  minValue: number;
  maxValue: number;
}

export interface TangoCardFakeOrder {
  referenceOrderID: string;
  externalRefID: string | null;
  accountIdentifier: string;
  customerIdentifier: string;
  utid: string;
  amount: number;
  status: string;
  sendEmail: boolean;
  recipient: Record<string, unknown> | null;
  sender: Record<string, unknown> | null;
  emailSubject: string | null;
  message: string | null;
  createdAt: string;
  /** Status reads left before a PENDING order becomes COMPLETE. */
  readsUntilComplete: number;
}

export type { FakeRequest } from './serve-json-fake.js';

/** An answer given to the next request instead of handling it. */
export interface ForcedAnswer {
  /** 409: a conflict naming the externalRefID, whatever the fake holds. */
  status: 401 | 409 | 429 | 500 | 502 | 503;
  retryAfter?: string;
  /** Handle the request (placing the order) first, then answer with this status: a lost answer. */
  afterProcessing?: boolean;
}

export type DuplicateAnswer = 'replay' | 'conflict' | 'validation';

export interface TangoCardFakeOptions {
  platformName: string;
  platformKey: string;
  accounts: TangoCardFakeAccount[];
  catalog: TangoCardFakeItem[];
}

export interface TangoCardFake {
  /** http://127.0.0.1:<port>/raas/v2 */
  baseUrl: string;
  orders: Map<string, TangoCardFakeOrder>;
  requests: FakeRequest[];
  balance(accountIdentifier: string): number;
  topUp(accountIdentifier: string, amount: number): void;
  /**
   * How a repeated externalRefID is answered: Tango's documented 200 with the first order, or an
   * error naming the duplicate (a 409, or a 400 validation error on externalRefID).
   */
  setDuplicateAnswer(answer: DuplicateAnswer): void;
  /** New orders stay PENDING for this many status reads (0: COMPLETE at once). */
  setPendingReads(reads: number): void;
  setOrderStatus(referenceOrderID: string, status: string): void;
  /** The order list ignores its externalRefID filter, as a server not knowing it would. */
  setListIgnoresExternalRefID(ignores: boolean): void;
  forceNext(...answers: ForcedAnswer[]): void;
  reset(): void;
  close(): Promise<void>;
}

const BASE_PATH = '/raas/v2';
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*\.[A-Za-z]{2,}$/;
const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  404: 'Not Found',
  409: 'Conflict',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

type FieldError = { path: string; message: string; i18nKey?: string };

function errorAnswer(status: number, path: string, message: string, extra: { i18nKey?: string; errors?: FieldError[] } = {}): Answer {
  return {
    status,
    body: {
      timestamp: new Date().toISOString(),
      requestId: crypto.randomUUID(),
      path,
      httpCode: status,
      httpPhrase: PHRASES[status] ?? 'Error',
      message,
      ...(extra.i18nKey ? { i18nKey: extra.i18nKey } : {}),
      ...(extra.errors ? { errors: extra.errors.map((e) => ({ code: status * 1000, ...e })) } : {}),
    },
  };
}

const validation = (path: string, errors: FieldError[]) =>
  errorAnswer(400, path, 'There was a problem with the request. Correct the errors and try again.', { errors });

function orderView(order: TangoCardFakeOrder) {
  return {
    referenceOrderID: order.referenceOrderID,
    externalRefID: order.externalRefID,
    customerIdentifier: order.customerIdentifier,
    accountIdentifier: order.accountIdentifier,
    accountNumber: `A${order.accountIdentifier.length}-000`,
    amountCharged: { value: order.amount, currencyCode: 'USD', exchangeRate: 1, fee: 0, total: order.amount },
    denomination: { value: order.amount, currencyCode: 'USD', exchangeRate: 1 },
    utid: order.utid,
    rewardName: 'Gift Card',
    sendEmail: order.sendEmail,
    status: order.status,
    createdAt: order.createdAt,
    recipient: order.recipient,
    sender: order.sender,
    campaign: null,
    emailSubject: order.emailSubject,
    message: order.message,
    reward: { credentials: { 'Redemption Link': `https://rewards.example/${order.referenceOrderID}` }, credentialList: [] },
  };
}

export async function startTangoCardFake(options: TangoCardFakeOptions): Promise<TangoCardFake> {
  const forced: ForcedAnswer[] = [];
  const balances = new Map<string, number>();
  const byExternalRef = new Map<string, string>();
  let duplicateAnswer: DuplicateAnswer = 'replay';
  let pendingReads = 0;
  let listIgnoresExternalRefID = false;
  let sequence = 0;
  const expectedAuth = `Basic ${Buffer.from(`${options.platformName}:${options.platformKey}`).toString('base64')}`;

  const fake: TangoCardFake = {
    baseUrl: '',
    orders: new Map(),
    requests: [],
    balance: (id) => balances.get(id) ?? 0,
    topUp: (id, amount) => balances.set(id, Math.round(((balances.get(id) ?? 0) + amount) * 100) / 100),
    setDuplicateAnswer: (answer) => {
      duplicateAnswer = answer;
    },
    setPendingReads: (reads) => {
      pendingReads = reads;
    },
    setOrderStatus: (id, status) => {
      const order = fake.orders.get(id);
      if (!order) throw new Error(`no order ${id}`);
      order.status = status;
    },
    setListIgnoresExternalRefID: (ignores) => {
      listIgnoresExternalRefID = ignores;
    },
    forceNext: (...answers) => forced.push(...answers),
    reset: () => {
      forced.length = 0;
      fake.orders.clear();
      fake.requests.length = 0;
      byExternalRef.clear();
      duplicateAnswer = 'replay';
      pendingReads = 0;
      listIgnoresExternalRefID = false;
      for (const account of options.accounts) balances.set(account.accountIdentifier, account.balance);
    },
    close: async () => undefined,
  };
  fake.reset();

  function createOrder(path: string, raw: string): Answer {
    let body: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      body = parsed as Record<string, unknown>;
    } catch {
      return errorAnswer(400, path, 'JSON parse error');
    }
    const required: FieldError[] = [];
    for (const field of ['accountIdentifier', 'customerIdentifier', 'utid'] as const) {
      if (typeof body[field] !== 'string' || body[field] === '') required.push({ path: field, message: `${field} is required` });
    }
    if (typeof body.amount !== 'number' || !(body.amount > 0))
      required.push({ path: 'amount', message: 'amount must be a positive number' });
    if (typeof body.sendEmail !== 'boolean') required.push({ path: 'sendEmail', message: 'sendEmail is required' });
    if (body.externalRefID !== undefined && (typeof body.externalRefID !== 'string' || body.externalRefID.length > 100)) {
      required.push({ path: 'externalRefID', message: 'externalRefID must be at most 100 characters' });
    }
    if (required.length) return validation(path, required);

    const accountId = body.accountIdentifier as string;
    const account = options.accounts.find((a) => a.accountIdentifier === accountId && a.customerIdentifier === body.customerIdentifier);
    if (!account) return validation(path, [{ path: 'accountIdentifier', message: 'The account was not found for this customer' }]);

    // One order per externalRefID per account, whatever the rest of the request says.
    const externalRefID = typeof body.externalRefID === 'string' ? body.externalRefID : null;
    const existingId = externalRefID === null ? undefined : byExternalRef.get(`${accountId}|${externalRefID}`);
    if (existingId !== undefined) {
      if (duplicateAnswer === 'conflict') {
        return errorAnswer(409, path, `An order with externalRefID ${externalRefID} already exists`, { i18nKey: '409.001' });
      }
      if (duplicateAnswer === 'validation') {
        return validation(path, [{ path: 'externalRefID', message: `Duplicate externalRefID: ${externalRefID} is already in use` }]);
      }
      return { status: 200, body: orderView(fake.orders.get(existingId)!) };
    }

    const item = options.catalog.find((i) => i.utid === body.utid);
    if (!item) {
      return validation(path, [
        {
          path: 'utid',
          i18nKey: '422.024',
          message:
            'The Item identifier provided is not valid. Please check the identifier and try again. You can confirm valid Items with the Get Catalog call.',
        },
      ]);
    }
    const amount = body.amount as number;
    if (amount < item.minValue || amount > item.maxValue) {
      return validation(path, [{ path: 'amount', message: `amount must be between ${item.minValue} and ${item.maxValue}` }]);
    }
    const recipient = typeof body.recipient === 'object' && body.recipient !== null ? (body.recipient as Record<string, unknown>) : null;
    const recipientErrors: FieldError[] = [];
    if (body.sendEmail === true) {
      if (typeof recipient?.email !== 'string' || !EMAIL.test(recipient.email)) {
        recipientErrors.push({ path: 'recipient.email', message: 'A valid recipient email is required when sendEmail is true' });
      }
      if (typeof recipient?.firstName !== 'string' || recipient.firstName === '') {
        recipientErrors.push({ path: 'recipient.firstName', message: 'Recipient first name is required when sendEmail is true' });
      }
    }
    for (const name of ['firstName', 'lastName'] as const) {
      const value = recipient?.[name];
      if (typeof value === 'string' && value.length > 100)
        recipientErrors.push({ path: `recipient.${name}`, message: 'at most 100 characters' });
    }
    if (recipientErrors.length) return validation(path, recipientErrors);

    const balance = balances.get(accountId) ?? 0;
    if (balance < amount) {
      return errorAnswer(402, path, 'Insufficient funds: the account balance does not cover this order.', { i18nKey: '402.001' });
    }
    balances.set(accountId, Math.round((balance - amount) * 100) / 100);
    sequence += 1;
    const order: TangoCardFakeOrder = {
      referenceOrderID: `RA${new Date().toISOString().slice(2, 10).replace(/-/g, '')}-${String(10000 + sequence)}-01`,
      externalRefID,
      accountIdentifier: accountId,
      customerIdentifier: account.customerIdentifier,
      utid: item.utid,
      amount,
      status: pendingReads > 0 ? 'PENDING' : 'COMPLETE',
      sendEmail: body.sendEmail as boolean,
      recipient,
      sender: typeof body.sender === 'object' && body.sender !== null ? (body.sender as Record<string, unknown>) : null,
      emailSubject: typeof body.emailSubject === 'string' ? body.emailSubject : null,
      message: typeof body.message === 'string' ? body.message : null,
      createdAt: new Date().toISOString(),
      readsUntilComplete: pendingReads,
    };
    fake.orders.set(order.referenceOrderID, order);
    if (externalRefID !== null) byExternalRef.set(`${accountId}|${externalRefID}`, order.referenceOrderID);
    return { status: 201, body: orderView(order) };
  }

  function readOrder(path: string, id: string): Answer {
    const order = fake.orders.get(id);
    if (!order) return errorAnswer(404, path, `Order ${id} was not found`);
    if (order.status === 'PENDING' && order.readsUntilComplete > 0) {
      order.readsUntilComplete -= 1;
      if (order.readsUntilComplete === 0) order.status = 'COMPLETE';
      return { status: 200, body: orderView({ ...order, status: 'PENDING' }) };
    }
    return { status: 200, body: orderView(order) };
  }

  function listOrders(url: URL): Answer {
    const filters = listIgnoresExternalRefID
      ? (['accountIdentifier', 'customerIdentifier'] as const)
      : (['accountIdentifier', 'customerIdentifier', 'externalRefID'] as const);
    const matches = [...fake.orders.values()].filter((order) =>
      filters.every((name) => {
        const wanted = url.searchParams.get(name);
        return wanted === null || order[name] === wanted;
      }),
    );
    const perPage = Math.min(Number(url.searchParams.get('elementsPerBlock') ?? 10) || 10, 100);
    const page = Number(url.searchParams.get('page') ?? 0) || 0;
    const slice = matches.slice(page * perPage, (page + 1) * perPage);
    return {
      status: 200,
      body: {
        orders: slice.map(orderView),
        page: { number: page, elementsPerBlock: perPage, resultCount: slice.length, totalCount: matches.length },
      },
    };
  }

  function route(request: FakeRequest): Answer {
    const url = new URL(request.path, 'http://fake');
    const path = url.pathname;
    if (request.headers.authorization !== expectedAuth) {
      return errorAnswer(401, path, 'Full authentication is required to access this resource');
    }
    if (!path.startsWith(`${BASE_PATH}/`)) return errorAnswer(404, path, 'Not Found');
    const route = path.slice(BASE_PATH.length);
    if (request.method === 'POST' && route === '/orders') return createOrder(path, request.body);
    if (request.method === 'GET' && route === '/orders') return listOrders(url);
    const order = /^\/orders\/([^/]+)$/.exec(route);
    if (request.method === 'GET' && order) return readOrder(path, decodeURIComponent(order[1]!));
    const account = /^\/accounts\/([^/]+)$/.exec(route);
    if (request.method === 'GET' && account) {
      const found = options.accounts.find((a) => a.accountIdentifier === decodeURIComponent(account[1]!));
      if (!found) return errorAnswer(404, path, 'Account not found');
      return {
        status: 200,
        body: {
          accountIdentifier: found.accountIdentifier,
          accountNumber: 'A00-000',
          displayName: found.accountIdentifier,
          currencyCode: found.currencyCode ?? 'USD',
          currentBalance: balances.get(found.accountIdentifier) ?? 0,
          contactEmail: 'ops@example.com',
          status: 'ACTIVE',
          createdAt: '2024-01-01T00:00:00Z',
        },
      };
    }
    if (request.method === 'GET' && route === '/catalogs') {
      return {
        status: 200,
        body: {
          catalogName: 'Fake catalog',
          brands: options.catalog.map((item) => ({
            brandKey: `B${item.utid}`,
            brandName: item.rewardName,
            status: 'active',
            items: [{ ...item, valueType: 'VARIABLE_VALUE', rewardType: 'gift card', status: 'active', countries: ['US'] }],
          })),
        },
      };
    }
    return errorAnswer(404, path, 'Not Found');
  }

  function answerFor(request: FakeRequest): Answer {
    const next = forced.shift();
    if (!next) return route(request);
    if (next.afterProcessing) route(request);
    const answer = errorAnswer(next.status, new URL(request.path, 'http://fake').pathname, PHRASES[next.status] ?? 'Error');
    return next.retryAfter === undefined ? answer : { ...answer, headers: { 'Retry-After': next.retryAfter } };
  }

  const served = await serveJsonFake(answerFor, fake.requests);
  fake.baseUrl = `${served.origin}${BASE_PATH}`;
  fake.close = served.close;
  return fake;
}
