import crypto from 'node:crypto';
import { serveJsonFake, type FakeRequest } from './serve-json-fake.js';

/**
 * A HubSpot CRM stand-in written from HubSpot's API documentation (HubSpot publishes
 * no spec licensed for outside use): Bearer auth, contacts batch upsert by email with the
 * 100-input limit, per-input errors as 207 multi-status, contact properties (values for a
 * property the portal does not have are refused, as HubSpot does; properties can be listed and
 * created), deals with their contact associations and contacts batch read (for deal webhooks), a
 * rolling rate limit with HubSpot's 429 body, and answers a test can force.
 */

export interface StoredContact {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export type { FakeRequest } from './serve-json-fake.js';

/** An answer the fake gives to the next request instead of handling it. */
export interface ForcedAnswer {
  status: 401 | 403 | 429 | 500 | 502 | 503;
  /** Sent as Retry-After when set. */
  retryAfter?: string;
  /** 429 only: which policy the body names. */
  policyName?: 'TEN_SECONDLY_ROLLING' | 'DAILY';
}

export interface ContactProperty {
  name: string;
  label: string;
  type: string;
  fieldType: string;
  groupName: string;
  description?: string;
}

export interface HubSpotFakeOptions {
  accessToken: string;
  /** Custom contact properties the portal already has, besides HubSpot's own. */
  properties?: readonly string[];
  /** At most `max` requests per rolling `windowMs`; HubSpot's private-app floor is 100 / 10 s. */
  rateLimit?: { max: number; windowMs: number };
}

export interface HubSpotFake {
  /** http://127.0.0.1:<port> */
  url: string;
  /** Contacts by lower-cased email. */
  contacts: Map<string, StoredContact>;
  /** The portal's contact properties by internal name, HubSpot's own included. */
  properties: Map<string, ContactProperty>;
  /** Deals by id: the ids of their associated contacts. */
  deals: Map<string, { contactIds: string[] }>;
  /** A deal associated with these contacts (created when new); returns the deal id. */
  addDeal(contactEmails: string[]): string;
  requests: FakeRequest[];
  forceNext(...answers: ForcedAnswer[]): void;
  setRateLimit(limit: HubSpotFakeOptions['rateLimit']): void;
  close(): Promise<void>;
}

const BATCH_LIMIT = 100;
const UPSERT_PATH = '/crm/v3/objects/contacts/batch/upsert';
const LIST_PATH = '/crm/v3/objects/contacts';
const BATCH_READ_PATH = '/crm/v3/objects/contacts/batch/read';
const DEAL_PATH = /^\/crm\/v3\/objects\/deals\/([^/]+)$/;
const PROPERTIES_PATH = '/crm/v3/properties/contacts';
// A few of the properties every portal has; hs_… ones are HubSpot's too.
const DEFAULT_PROPERTIES = [
  'email',
  'firstname',
  'lastname',
  'phone',
  'mobilephone',
  'company',
  'website',
  'jobtitle',
  'address',
  'city',
  'state',
  'zip',
  'country',
  'lifecyclestage',
  'hubspot_owner_id',
];
const PROPERTY_NAME = /^[a-z][a-z0-9_]*$/;
// Stricter than the connector's own check, as HubSpot is: a dotted domain with a TLD of letters.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)*\.[A-Za-z]{2,}$/;

interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const errorBody = (category: string, message: string, extra: Record<string, unknown> = {}) => ({
  status: 'error',
  message,
  correlationId: crypto.randomUUID(),
  category,
  ...extra,
});

function forcedAnswer(forced: ForcedAnswer): Answer {
  const headers = forced.retryAfter === undefined ? undefined : { 'Retry-After': forced.retryAfter };
  if (forced.status === 429) {
    const policyName = forced.policyName ?? 'TEN_SECONDLY_ROLLING';
    return {
      status: 429,
      headers,
      body: {
        status: 'error',
        message: `You have reached your ${policyName.toLowerCase()} limit.`,
        errorType: 'RATE_LIMIT',
        correlationId: crypto.randomUUID(),
        policyName,
      },
    };
  }
  if (forced.status === 401)
    return { status: 401, headers, body: errorBody('INVALID_AUTHENTICATION', 'Authentication credentials not found.') };
  if (forced.status === 403)
    return {
      status: 403,
      headers,
      body: errorBody('MISSING_SCOPES', "This app hasn't been granted all required scopes to make this call."),
    };
  return { status: forced.status, headers, body: errorBody('INTERNAL_ERROR', 'internal error') };
}

type UpsertInput = { idProperty: string; id: string; properties: Record<string, string>; objectWriteTraceId?: string };

function readInput(value: unknown): UpsertInput | string {
  if (typeof value !== 'object' || value === null) return 'each input must be an object';
  const input = value as Record<string, unknown>;
  if (input.idProperty !== 'email') return 'idProperty must be a unique property; this fake knows "email"';
  if (typeof input.id !== 'string' || !input.id) return 'id is required';
  const properties = input.properties;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return 'properties is required';
  if (!Object.values(properties).every((v) => typeof v === 'string')) return 'property values must be strings';
  if (input.objectWriteTraceId !== undefined && typeof input.objectWriteTraceId !== 'string') return 'objectWriteTraceId must be a string';
  return input as UpsertInput;
}

export async function startHubSpotFake(options: HubSpotFakeOptions): Promise<HubSpotFake> {
  const forced: ForcedAnswer[] = [];
  let rateLimit = options.rateLimit;
  let requestTimes: number[] = [];
  let nextId = 1000;

  const fake: HubSpotFake = {
    url: '',
    contacts: new Map(),
    properties: new Map(
      [...DEFAULT_PROPERTIES, ...(options.properties ?? [])].map((name) => [
        name,
        { name, label: name, type: 'string', fieldType: 'text', groupName: 'contactinformation' },
      ]),
    ),
    deals: new Map(),
    addDeal: (contactEmails) => {
      const now = new Date().toISOString();
      const contactIds = contactEmails.map((email) => {
        const key = email.toLowerCase();
        const contact = fake.contacts.get(key) ?? { id: String(nextId++), properties: { email }, createdAt: now, updatedAt: now };
        fake.contacts.set(key, contact);
        return contact.id;
      });
      const dealId = String(nextId++);
      fake.deals.set(dealId, { contactIds });
      return dealId;
    },
    requests: [],
    forceNext: (...answers) => forced.push(...answers),
    setRateLimit: (limit) => {
      rateLimit = limit;
      requestTimes = [];
    },
    close: async () => undefined,
  };

  function upsert(body: unknown): Answer {
    const inputs = typeof body === 'object' && body !== null ? (body as { inputs?: unknown }).inputs : undefined;
    if (!Array.isArray(inputs) || inputs.length < 1 || inputs.length > BATCH_LIMIT) {
      return { status: 400, body: errorBody('VALIDATION_ERROR', `inputs must hold 1 to ${BATCH_LIMIT} items`) };
    }
    const parsed = inputs.map(readInput);
    const problem = parsed.find((input): input is string => typeof input === 'string');
    if (problem) return { status: 400, body: errorBody('VALIDATION_ERROR', problem) };
    const valid = parsed as UpsertInput[];
    const ids = valid.map((input) => input.id.toLowerCase());
    if (new Set(ids).size !== ids.length)
      return { status: 400, body: errorBody('VALIDATION_ERROR', 'Duplicate IDs found in batch input. IDs must be unique') };

    const now = new Date().toISOString();
    const results: unknown[] = [];
    const errors: unknown[] = [];
    for (const input of valid) {
      const trace = input.objectWriteTraceId === undefined ? {} : { objectWriteTraceId: [input.objectWriteTraceId] };
      if (!EMAIL.test(input.id)) {
        errors.push(
          errorBody(
            'VALIDATION_ERROR',
            `Property values were not valid: [{"isValid":false,"message":"Email address ${input.id} is invalid","error":"INVALID_EMAIL","name":"email"}]`,
            { context: { ids: [input.id], ...trace } },
          ),
        );
        continue;
      }
      const unknown = Object.keys(input.properties).filter((name) => !fake.properties.has(name) && !name.startsWith('hs_'));
      if (unknown.length > 0) {
        const details = unknown.map((name) => ({
          isValid: false,
          message: `Property "${name}" does not exist`,
          error: 'PROPERTY_DOESNT_EXIST',
          name,
          localizedErrorMessage: `Property "${name}" does not exist`,
        }));
        errors.push(
          errorBody('VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(details)}`, {
            context: { ids: [input.id], ...trace },
          }),
        );
        continue;
      }
      const key = input.id.toLowerCase();
      const existing = fake.contacts.get(key);
      const contact: StoredContact = existing
        ? { ...existing, properties: { ...existing.properties, ...input.properties }, updatedAt: now }
        : { id: String(nextId++), properties: { ...input.properties, email: input.id }, createdAt: now, updatedAt: now };
      fake.contacts.set(key, contact);
      results.push({
        ...contact,
        archived: false,
        new: !existing,
        ...(input.objectWriteTraceId === undefined ? {} : { objectWriteTraceId: input.objectWriteTraceId }),
      });
    }
    const payload = {
      status: 'COMPLETE',
      results,
      ...(errors.length ? { errors, numErrors: errors.length } : {}),
      startedAt: now,
      completedAt: now,
    };
    return { status: errors.length ? 207 : 200, body: payload };
  }

  // https://developers.hubspot.com/docs/api/crm/deals (GET one deal; associations only when asked)
  function readDeal(dealId: string, url: URL): Answer {
    const deal = fake.deals.get(dealId);
    if (!deal) return { status: 404, body: errorBody('OBJECT_NOT_FOUND', `resource not found`) };
    const now = new Date().toISOString();
    const wanted = (url.searchParams.get('associations') ?? '').split(',').map((t) => t.trim());
    return {
      status: 200,
      body: {
        id: dealId,
        properties: { hs_object_id: dealId, dealstage: 'qualifiedtobuy' },
        createdAt: now,
        updatedAt: now,
        archived: false,
        ...(wanted.includes('contacts')
          ? { associations: { contacts: { results: deal.contactIds.map((id) => ({ id, type: 'deal_to_contact' })) } } }
          : {}),
      },
    };
  }

  // https://developers.hubspot.com/docs/api/crm/contacts (batch read by id, ≤ 100 inputs; unknown ids are per-input errors)
  function batchRead(body: unknown): Answer {
    const inputs = typeof body === 'object' && body !== null ? (body as { inputs?: unknown }).inputs : undefined;
    const properties = typeof body === 'object' && body !== null ? (body as { properties?: unknown }).properties : undefined;
    if (!Array.isArray(inputs) || inputs.length < 1 || inputs.length > BATCH_LIMIT) {
      return { status: 400, body: errorBody('VALIDATION_ERROR', `inputs must hold 1 to ${BATCH_LIMIT} items`) };
    }
    if (!Array.isArray(properties) || !properties.every((p) => typeof p === 'string'))
      return { status: 400, body: errorBody('VALIDATION_ERROR', 'properties must be a list of names') };
    if (!inputs.every((i) => typeof i === 'object' && i !== null && typeof (i as { id?: unknown }).id === 'string')) {
      return { status: 400, body: errorBody('VALIDATION_ERROR', 'each input needs a string id') };
    }
    const byId = new Map([...fake.contacts.values()].map((c) => [c.id, c]));
    const ids = (inputs as { id: string }[]).map((i) => i.id);
    const found = ids.flatMap((id) => byId.get(id) ?? []);
    const missing = ids.filter((id) => !byId.has(id));
    const now = new Date().toISOString();
    const results = found.map((c) => ({
      id: c.id,
      archived: false,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      properties: Object.fromEntries([['hs_object_id', c.id], ...(properties as string[]).map((p) => [p, c.properties[p] ?? null])]),
    }));
    const errors = missing.length
      ? [
          errorBody('OBJECT_NOT_FOUND', 'Could not get some CONTACT objects, they may be deleted or not exist.', {
            context: { ids: missing },
          }),
        ]
      : [];
    return {
      status: errors.length ? 207 : 200,
      body: {
        status: 'COMPLETE',
        results,
        ...(errors.length ? { errors, numErrors: errors.length } : {}),
        startedAt: now,
        completedAt: now,
      },
    };
  }

  // https://developers.hubspot.com/docs/api/crm/properties — create a contact property.
  function createProperty(body: unknown): Answer {
    const input = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const missing = ['name', 'label', 'type', 'fieldType', 'groupName'].filter(
      (field) => typeof input[field] !== 'string' || input[field] === '',
    );
    if (missing.length > 0) return { status: 400, body: errorBody('VALIDATION_ERROR', `Missing required fields: ${missing.join(', ')}`) };
    const name = input.name as string;
    if (!PROPERTY_NAME.test(name)) return { status: 400, body: errorBody('VALIDATION_ERROR', `Property name ${name} is not valid`) };
    if (fake.properties.has(name))
      return { status: 409, body: errorBody('OBJECT_ALREADY_EXISTS', `A property named '${name}' already exists.`) };
    const property: ContactProperty = {
      name,
      label: input.label as string,
      type: input.type as string,
      fieldType: input.fieldType as string,
      groupName: input.groupName as string,
      ...(typeof input.description === 'string' ? { description: input.description } : {}),
    };
    fake.properties.set(name, property);
    return { status: 201, body: property };
  }

  function route(request: FakeRequest): Answer {
    const next = forced.shift();
    if (next) return forcedAnswer(next);
    if (request.headers.authorization !== `Bearer ${options.accessToken}`) {
      return {
        status: 401,
        body: errorBody(
          'INVALID_AUTHENTICATION',
          'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        ),
      };
    }
    const limit = rateLimit;
    if (limit) {
      const now = Date.now();
      requestTimes = requestTimes.filter((at) => at > now - limit.windowMs);
      if (requestTimes.length >= limit.max) return forcedAnswer({ status: 429 });
      requestTimes.push(now);
    }
    const url = new URL(request.path, 'http://fake');
    if (request.method === 'POST' && url.pathname === UPSERT_PATH) {
      let body: unknown;
      try {
        body = JSON.parse(request.body);
      } catch {
        return { status: 400, body: errorBody('VALIDATION_ERROR', 'Invalid input JSON') };
      }
      return upsert(body);
    }
    if (request.method === 'GET' && url.pathname === PROPERTIES_PATH)
      return { status: 200, body: { results: [...fake.properties.values()] } };
    if (request.method === 'POST' && url.pathname === PROPERTIES_PATH) {
      try {
        return createProperty(JSON.parse(request.body));
      } catch {
        return { status: 400, body: errorBody('VALIDATION_ERROR', 'Invalid input JSON') };
      }
    }
    const deal = DEAL_PATH.exec(url.pathname);
    if (request.method === 'GET' && deal) return readDeal(decodeURIComponent(deal[1]!), url);
    if (request.method === 'POST' && url.pathname === BATCH_READ_PATH) {
      try {
        return batchRead(JSON.parse(request.body));
      } catch {
        return { status: 400, body: errorBody('VALIDATION_ERROR', 'Invalid input JSON') };
      }
    }
    if (request.method === 'GET' && url.pathname === LIST_PATH) {
      const limit = Math.min(Number(url.searchParams.get('limit') ?? 10), 100);
      return { status: 200, body: { results: [...fake.contacts.values()].slice(0, limit).map((c) => ({ ...c, archived: false })) } };
    }
    return { status: 404, body: errorBody('OBJECT_NOT_FOUND', `no route for ${request.method} ${url.pathname}`) };
  }

  const served = await serveJsonFake(route, fake.requests);
  fake.url = served.origin;
  fake.close = served.close;
  return fake;
}
