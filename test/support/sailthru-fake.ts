import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A Sailthru API on loopback, written from Sailthru's
 * API technical page: verifies api_key and the MD5 `sig` over the sorted parameter values
 * (error 3 / error 5 with HTTP 401), answers `{error, errormsg}` bodies, stores profiles and
 * events, and sends X-Rate-Limit-* headers per endpoint and method, with 429 / error 43 once a
 * window is used up.
 */

export interface SailthruProfile {
  vars: Record<string, unknown>;
  /** List name → time the profile joined it. */
  lists: Record<string, string>;
  sid: string;
}

export interface SailthruEventCall {
  id: string;
  key?: string;
  event: string;
  vars?: Record<string, unknown>;
}

export interface SailthruFakeRequest {
  method: string;
  path: string;
  /** The decoded parameters as received (api_key, format, json, sig). */
  params: Record<string, string>;
  status: number;
}

export interface SailthruFakeOptions {
  apiKey: string;
  apiSecret: string;
  /** Requests per window for each endpoint and method (default 300). */
  limit?: number;
}

export interface SailthruFake {
  url: string;
  users: Map<string, SailthruProfile>;
  events: SailthruEventCall[];
  requests: SailthruFakeRequest[];
  /** Uses up the window of one endpoint and method; it resets `resetInSeconds` from now. */
  exhaust(method: 'GET' | 'POST', path: string, resetInSeconds: number): void;
  /** The next `times` authenticated calls answer HTTP 500, error 9. */
  failNext(times?: number): void;
  /** Drops stored data, windows and queued failures. */
  reset(): void;
  close(): Promise<void>;
}

interface Window {
  limit: number;
  remaining: number;
  /** Unix seconds. */
  reset: number;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function startSailthruFake(options: SailthruFakeOptions): Promise<SailthruFake> {
  const limit = options.limit ?? 300;
  const windows = new Map<string, Window>();
  let failures = 0;

  const fake: SailthruFake = {
    url: '',
    users: new Map(),
    events: [],
    requests: [],
    exhaust(method, path, resetInSeconds) {
      windows.set(`${method} ${path}`, { limit, remaining: 0, reset: Math.floor(Date.now() / 1000) + resetInSeconds });
    },
    failNext(times = 1) {
      failures += times;
    },
    reset() {
      fake.users.clear();
      fake.events.length = 0;
      fake.requests.length = 0;
      windows.clear();
      failures = 0;
    },
    close: async () => undefined,
  };

  const error = (status: number, code: number, errormsg: string): [number, unknown] => [status, { error: code, errormsg }];

  /** What Sailthru computes server side: md5(secret + sorted values of every parameter but sig). */
  function expectedSig(params: Record<string, string>): string {
    const values = Object.entries(params)
      .filter(([name]) => name !== 'sig')
      .map(([, value]) => value)
      .sort();
    return crypto
      .createHash('md5')
      .update(options.apiSecret + values.join(''), 'utf8')
      .digest('hex');
  }

  function windowFor(key: string): Window {
    const nowSeconds = Math.floor(Date.now() / 1000);
    let window = windows.get(key);
    if (!window || window.reset <= nowSeconds) {
      // Windows are per minute; the reset is the start of the next minute.
      window = { limit, remaining: limit, reset: (Math.floor(nowSeconds / 60) + 1) * 60 };
      windows.set(key, window);
    }
    return window;
  }

  function saveUser(body: Record<string, unknown>): [number, unknown] {
    const id = body.id;
    if (typeof id !== 'string' || id === '') return error(400, 2, 'Missing required parameter: id');
    const key = body.key ?? 'email';
    if (key === 'email' && !EMAIL.test(id)) return error(400, 11, `Invalid email: ${id}`);
    const profile = fake.users.get(id) ?? { vars: {}, lists: {}, sid: crypto.randomBytes(12).toString('hex') };
    if (body.vars !== undefined && (typeof body.vars !== 'object' || body.vars === null)) return error(400, 2, 'vars must be an object');
    Object.assign(profile.vars, body.vars);
    for (const [list, member] of Object.entries((body.lists ?? {}) as Record<string, unknown>)) {
      if (member === 1 || member === '1') profile.lists[list] ??= new Date().toUTCString();
      else delete profile.lists[list];
    }
    fake.users.set(id, profile);
    return [200, { ok: true, keys: { email: id, sid: profile.sid }, vars: profile.vars, lists: profile.lists }];
  }

  function postEvent(body: Record<string, unknown>): [number, unknown] {
    if (typeof body.id !== 'string' || body.id === '') return error(400, 2, 'Missing required parameter: id');
    if (typeof body.event !== 'string' || body.event === '') return error(400, 2, 'Missing required parameter: event');
    fake.events.push({
      id: body.id,
      key: body.key as string | undefined,
      event: body.event,
      vars: body.vars as Record<string, unknown> | undefined,
    });
    return [200, {}];
  }

  function getUser(body: Record<string, unknown>): [number, unknown] {
    if (typeof body.id !== 'string' || body.id === '') return error(400, 2, 'Missing required parameter: id');
    const profile = fake.users.get(body.id);
    if (!profile) return error(404, 99, `User not found with email: ${body.id}`);
    return [200, { keys: { email: body.id, sid: profile.sid }, vars: profile.vars, lists: profile.lists }];
  }

  function handle(method: string, path: string, params: Record<string, string>, headers: Record<string, string>): [number, unknown] {
    if (method !== 'GET' && method !== 'POST' && method !== 'DELETE') return error(405, 1, 'Unsupported HTTPS method');
    if (!params.api_key) return error(400, 2, 'Missing required parameter: api_key');
    if (params.api_key !== options.apiKey) return error(401, 3, `Invalid API key: ${params.api_key}`);
    if (!params.sig || params.sig !== expectedSig(params)) return error(401, 5, 'Authentication failed');

    const key = `${method} ${path}`;
    const window = windowFor(key);
    headers['X-Rate-Limit-Limit'] = String(window.limit);
    headers['X-Rate-Limit-Reset'] = String(window.reset);
    if (window.remaining <= 0) {
      headers['X-Rate-Limit-Remaining'] = '0';
      return error(429, 43, `Too many ${method} requests this minute to ${path} API`);
    }
    window.remaining--;
    headers['X-Rate-Limit-Remaining'] = String(window.remaining);

    if (failures > 0) {
      failures--;
      return error(500, 9, 'Internal Error');
    }
    let body: unknown;
    try {
      body = JSON.parse(params.json ?? '{}');
    } catch {
      return error(400, 2, 'json parameter is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return error(400, 2, 'json parameter must be an object');
    const fields = body as Record<string, unknown>;
    if (key === 'POST /user') return saveUser(fields);
    if (key === 'POST /event') return postEvent(fields);
    if (key === 'GET /user') return getUser(fields);
    return error(404, 0, `Unknown API endpoint: ${path}`);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const method = req.method ?? '';
      // Parameters go in the query string for GET/DELETE and in a form body for POST.
      const source = method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : url.searchParams;
      const params = Object.fromEntries(source.entries());
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      const [status, payload] =
        method === 'POST' && !(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
          ? error(400, 2, 'POST parameters must be application/x-www-form-urlencoded')
          : handle(method, url.pathname, params, headers);
      fake.requests.push({ method, path: url.pathname, params, status });
      res.writeHead(status, headers);
      res.end(JSON.stringify(payload));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  fake.close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((err) => (err ? reject(err) : resolve()));
    });
  return fake;
}
