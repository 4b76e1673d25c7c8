import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Salesforce org on loopback, written from Salesforce's API documentation: the OAuth
 * client-credentials token endpoint, external-id upsert of one record and sObject Collections
 * upsert, error bodies as JSON arrays, INVALID_SESSION_ID for expired tokens and
 * REQUEST_LIMIT_EXCEEDED on demand. The token's instance_url is the fake itself.
 */

export type SalesforceObject = 'Lead' | 'Contact';
export type StoredRecord = Record<string, unknown> & { Id: string };

export interface SalesforceFakeOptions {
  clientId: string;
  clientSecret: string;
  /** The one External ID field each object has (default Referral_Id__c for both). */
  externalIdFields?: Partial<Record<SalesforceObject, string>>;
}

export interface SalesforceFakeRequest {
  method: string;
  path: string;
  authorization?: string;
  body: unknown;
}

export type SalesforceFakeFailure = { status: 500 | 502 | 503 } | 'request_limit';

export interface SalesforceFake {
  /** http://127.0.0.1:<port>: both the login host and the instance. */
  url: string;
  /** instance_url handed out with tokens; tests may point it elsewhere. */
  instanceUrl: string;
  /** Every token request, successful or not. */
  tokenRequests: number;
  /** Every request under /services/data, in order. */
  apiRequests: SalesforceFakeRequest[];
  records: Record<SalesforceObject, Map<string, StoredRecord>>;
  /** Invalidates every token issued so far (the next API call answers 401 INVALID_SESSION_ID). */
  expireTokens(): void;
  /** When true, tokens are dead on arrival: every API call answers INVALID_SESSION_ID. */
  issueDeadTokens: boolean;
  /** The next `times` API calls fail this way. */
  failNext(failure: SalesforceFakeFailure, times?: number): void;
  close(): Promise<void>;
}

const API_VERSION = /^\/services\/data\/v(\d+)\.(\d+)(\/.*)$/;
// sObject Collections upsert exists from API 46.0.
const MIN_COLLECTIONS_VERSION = 46;
const COLLECTION_LIMIT = 200;
const REQUIRED_FIELDS: Record<SalesforceObject, string[]> = { Lead: ['LastName', 'Company'], Contact: ['LastName'] };
const ID_PREFIX: Record<SalesforceObject, string> = { Lead: '00Q', Contact: '003' };
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

const apiError = (errorCode: string, message: string, fields?: string[]) => [{ message, errorCode, ...(fields ? { fields } : {}) }];

function isObjectName(name: string | undefined): name is SalesforceObject {
  return name === 'Lead' || name === 'Contact';
}

export async function startSalesforceFake(options: SalesforceFakeOptions): Promise<SalesforceFake> {
  const externalIdFields: Record<SalesforceObject, string> = {
    Lead: options.externalIdFields?.Lead ?? 'Referral_Id__c',
    Contact: options.externalIdFields?.Contact ?? 'Referral_Id__c',
  };
  const liveTokens = new Set<string>();
  const failures: SalesforceFakeFailure[] = [];
  let apiUsage = 0;

  const fake: SalesforceFake = {
    url: '',
    instanceUrl: '',
    tokenRequests: 0,
    apiRequests: [],
    records: { Lead: new Map(), Contact: new Map() },
    issueDeadTokens: false,
    expireTokens: () => liveTokens.clear(),
    failNext(failure, times = 1) {
      for (let i = 0; i < times; i++) failures.push(failure);
    },
    close: async () => undefined,
  };

  function token(form: URLSearchParams): [number, unknown] {
    fake.tokenRequests++;
    if (form.get('grant_type') !== 'client_credentials') {
      return [400, { error: 'unsupported_grant_type', error_description: 'grant type not supported' }];
    }
    if (form.get('client_id') !== options.clientId)
      return [400, { error: 'invalid_client_id', error_description: 'client identifier invalid' }];
    if (form.get('client_secret') !== options.clientSecret)
      return [400, { error: 'invalid_client', error_description: 'invalid client credentials' }];
    const accessToken = `00D5g000004Fake!${crypto.randomBytes(24).toString('base64url')}`;
    if (!fake.issueDeadTokens) liveTokens.add(accessToken);
    return [
      200,
      {
        access_token: accessToken,
        instance_url: fake.instanceUrl,
        id: `${fake.url}/id/00D5g000004FakeEAA/0055g00000FakeUAAS`,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
        signature: crypto.randomBytes(32).toString('base64'),
        scope: 'api',
      },
    ];
  }

  /** Validates one record against the org's rules and writes it; the result is a SaveResult. */
  function save(object: SalesforceObject, field: string, value: string, fields: Record<string, unknown>, commit: boolean) {
    const store = fake.records[object];
    const existing = store.get(value);
    const merged: Record<string, unknown> = { ...existing, ...fields, [field]: value };
    const errors: SaveError[] = [];
    const missing = REQUIRED_FIELDS[object].filter((name) => typeof merged[name] !== 'string' || (merged[name] as string).trim() === '');
    if (missing.length)
      errors.push({
        statusCode: 'REQUIRED_FIELD_MISSING',
        message: `Required fields are missing: [${missing.join(', ')}]`,
        fields: missing,
      });
    const email = merged.Email;
    if (email !== undefined && email !== null && (typeof email !== 'string' || !EMAIL.test(email))) {
      errors.push({ statusCode: 'INVALID_EMAIL_ADDRESS', message: `Email: invalid email address: ${String(email)}`, fields: ['Email'] });
    }
    if (errors.length) return { ok: false as const, errors };
    const id = existing?.Id ?? `${ID_PREFIX[object]}5g00000${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
    if (commit) store.set(value, { ...merged, Id: id });
    return { ok: true as const, id, created: existing === undefined };
  }

  function upsertOne(object: SalesforceObject, field: string, value: string, body: unknown): [number, unknown] {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return [400, apiError('JSON_PARSER_ERROR', 'Expected a JSON object')];
    const fields = body as Record<string, unknown>;
    // connector-apis.md §5: the external id field and Id stay out of the body.
    if (field in fields || 'Id' in fields)
      return [400, apiError('INVALID_FIELD', `${field in fields ? field : 'Id'} must not be in the body of an upsert by external id`)];
    const result = save(object, field, value, fields, true);
    if (!result.ok) return [400, result.errors.map((e) => ({ message: e.message, errorCode: e.statusCode, fields: e.fields }))];
    return [result.created ? 201 : 200, { id: result.id, success: true, errors: [], created: result.created }];
  }

  function upsertCollection(object: SalesforceObject, field: string, body: unknown): [number, unknown] {
    const request = body as { allOrNone?: unknown; records?: unknown };
    if (typeof request !== 'object' || request === null || !Array.isArray(request.records)) {
      return [400, apiError('JSON_PARSER_ERROR', 'Expected {"allOrNone": …, "records": [...]}')];
    }
    if (request.allOrNone !== undefined && typeof request.allOrNone !== 'boolean')
      return [400, apiError('JSON_PARSER_ERROR', 'allOrNone must be a boolean')];
    const records = request.records as unknown[];
    if (records.length > COLLECTION_LIMIT) {
      return [
        400,
        apiError('EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${COLLECTION_LIMIT} records into this call`),
      ];
    }
    for (const record of records) {
      const type = (record as { attributes?: { type?: unknown } } | null)?.attributes?.type;
      if (type !== object) return [400, apiError('INVALID_TYPE', 'Must send a concrete entity type.')];
    }
    const values = records.map((record) => {
      const value = (record as Record<string, unknown>)[field];
      return typeof value === 'number' ? String(value) : value;
    });
    const allOrNone = request.allOrNone === true;
    const attempt = (commit: boolean) =>
      records.map((record, index) => {
        const { attributes: _attributes, ...fields } = record as Record<string, unknown>;
        const value = values[index];
        if (typeof value !== 'string' || value === '') {
          return { ok: false as const, errors: [{ statusCode: 'MISSING_ARGUMENT', message: `${field} not specified`, fields: [field] }] };
        }
        if (values.indexOf(value) !== values.lastIndexOf(value)) {
          return {
            ok: false as const,
            errors: [{ statusCode: 'DUPLICATE_EXTERNAL_ID', message: `Duplicate external id specified: ${value}`, fields: [field] }],
          };
        }
        return save(object, field, value, fields, commit);
      });
    const dryRun = attempt(false);
    const failed = dryRun.some((result) => !result.ok);
    const results = allOrNone && failed ? dryRun : attempt(true);
    return [
      200,
      results.map((result) => {
        if (!result.ok) return { success: false, errors: result.errors };
        if (allOrNone && failed) {
          return {
            success: false,
            errors: [
              {
                statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
                fields: [],
              },
            ],
          };
        }
        return { id: result.id, success: true, errors: [], created: result.created };
      }),
    ];
  }

  function api(method: string, path: string, authorization: string | undefined, body: unknown): [number, unknown] {
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    if (!bearer || !liveTokens.has(bearer)) return [401, apiError('INVALID_SESSION_ID', 'Session expired or invalid')];
    const failure = failures.shift();
    if (failure === 'request_limit') return [403, apiError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.')];
    if (failure) return [failure.status, apiError('SERVER_UNAVAILABLE', 'Server temporarily unavailable')];
    apiUsage++;

    const match = API_VERSION.exec(path);
    if (!match) return [404, apiError('NOT_FOUND', 'The requested resource does not exist')];
    const version = Number(match[1]);
    const rest = (match[3] ?? '').split('/').filter(Boolean).map(decodeURIComponent);

    if (method === 'GET' && rest.length === 1 && rest[0] === 'limits') {
      return [200, { DailyApiRequests: { Max: 100_000, Remaining: 100_000 - apiUsage } }];
    }
    if (method === 'PATCH' && rest[0] === 'sobjects' && rest.length === 4) {
      const [, object, field, value] = rest;
      if (!isObjectName(object)) return [404, apiError('NOT_FOUND', `The requested resource does not exist`)];
      if (field !== externalIdFields[object])
        return [404, apiError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${field}`)];
      return upsertOne(object, field, value ?? '', body);
    }
    if (method === 'PATCH' && rest[0] === 'composite' && rest[1] === 'sobjects' && rest.length === 4) {
      if (version < MIN_COLLECTIONS_VERSION) return [404, apiError('NOT_FOUND', 'The requested resource does not exist')];
      const [, , object, field] = rest;
      if (!isObjectName(object)) return [404, apiError('NOT_FOUND', 'The requested resource does not exist')];
      if (field !== externalIdFields[object])
        return [404, apiError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${field}`)];
      return upsertCollection(object, field, body);
    }
    return [404, apiError('NOT_FOUND', 'The requested resource does not exist')];
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '').split('?')[0] ?? '';
      let status: number;
      let payload: unknown;
      if (req.method === 'POST' && path === '/services/oauth2/token') {
        const form = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
          ? new URLSearchParams(raw)
          : new URLSearchParams();
        [status, payload] = token(form);
      } else if (path.startsWith('/services/data/')) {
        let body: unknown;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          body = Symbol('unparseable');
        }
        fake.apiRequests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body });
        [status, payload] =
          typeof body === 'symbol'
            ? [400, apiError('JSON_PARSER_ERROR', 'Unexpected character')]
            : api(req.method ?? '', path, req.headers.authorization, body);
        res.setHeader('Sforce-Limit-Info', `api-usage=${apiUsage}/100000`);
      } else {
        [status, payload] = [404, apiError('NOT_FOUND', 'The requested resource does not exist')];
      }
      res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify(payload));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  fake.instanceUrl = fake.url;
  fake.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  return fake;
}
