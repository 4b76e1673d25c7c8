import type { Harness } from './hub-harness.js';
import { createUserService } from '../../hub/console/user-service.js';
import type { UserRole } from '../../schema/tables/users.js';

export interface ConsoleResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * A browser-like client of the console over `app.request`: keeps cookies, signs in through the
 * real form, and sends each form with the CSRF token of the last page it read.
 */
export class ConsoleClient {
  private cookies = new Map<string, string>();
  csrf = '';

  constructor(private readonly h: Harness) {}

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair!.indexOf('=');
      const name = pair!.slice(0, at);
      const value = pair!.slice(at + 1);
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(method: string, path: string, init: { form?: Record<string, string | string[]>; headers?: Record<string, string> } = {}) {
    let body: string | undefined;
    const headers: Record<string, string> = { cookie: this.cookieHeader(), ...init.headers };
    if (init.form) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
      body = params.toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const res = await this.h.app.request(path, { method, headers, body, redirect: 'manual' });
    this.keep(res);
    const text = await res.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(text);
    if (token) this.csrf = token[1]!;
    return { status: res.status, headers: res.headers, text } satisfies ConsoleResponse;
  }

  get(path: string) {
    return this.request('GET', path);
  }

  /** A form post with this session's CSRF token (unless the form sets `_csrf` itself). */
  post(path: string, form: Record<string, string | string[]> = {}) {
    return this.request('POST', path, { form: { _csrf: this.csrf, ...form } });
  }

  async signIn(email: string, password: string) {
    await this.get('/login');
    return this.post('/login', { email, password });
  }
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** A user with a password, and a client signed in as them. */
export async function signedInAs(h: Harness, role: UserRole, opts: { programIds?: string[]; email?: string } = {}) {
  const users = createUserService(h.db.db);
  const email = opts.email ?? `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const user = await users.create({ email, role, programIds: opts.programIds ?? [] }, TEST_PASSWORD);
  const client = new ConsoleClient(h);
  const res = await client.signIn(email, TEST_PASSWORD);
  if (res.status !== 303) throw new Error(`sign-in as ${role} answered ${res.status}: ${res.text.slice(0, 300)}`);
  await client.get('/ui');
  return { user, client };
}
