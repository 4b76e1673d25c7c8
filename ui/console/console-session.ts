import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, getSignedCookie, setCookie, setSignedCookie } from 'hono/cookie';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { withActor } from '../../lib/actor-context.js';
import type { ConsoleSessionStore } from '../../hub/console/console-session-store.js';
import { principalFor, type ConsoleEnv } from './console-env.js';
import { formText, readForm } from './read-form.js';

const SESSION_COOKIE = 'rh_session';
const FLASH_COOKIE = 'rh_flash';

export interface ConsoleCookies {
  /** Signs the session cookie (derived from HUB_SECRET_KEY). */
  secret: string;
  /** HUB_PUBLIC_URL is https: cookies are Secure and carry the __Host- prefix (this host only, path /). */
  secure: boolean;
}

/** The per-session CSRF token: derived from the session's secret, never the cookie itself. */
export const csrfTokenFor = (csrfSecret: string) => createHmac('sha256', csrfSecret).update('console-form').digest('base64url');

export function csrfTokenMatches(expected: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Reading and writing the console's cookies: the session id (signed, HttpOnly, SameSite=Lax so
 * a link from an email still opens the console signed in, while cross-site posts carry no
 * cookie) and a one-shot flash message.
 */
export function createConsoleCookies(opts: ConsoleCookies) {
  const prefix = opts.secure ? ('host' as const) : undefined;
  const base = { path: '/', httpOnly: true, sameSite: 'Lax' as const, secure: opts.secure, prefix };
  return {
    async setSession(c: Context, id: string) {
      await setSignedCookie(c, SESSION_COOKIE, id, opts.secret, base);
    },
    async readSession(c: Context): Promise<string | undefined> {
      const value = await getSignedCookie(c, opts.secret, SESSION_COOKIE, prefix);
      return typeof value === 'string' && value.length > 0 ? value : undefined;
    },
    clearSession(c: Context) {
      deleteCookie(c, SESSION_COOKIE, base);
    },
    flash(c: Context, message: string) {
      setCookie(c, FLASH_COOKIE, encodeURIComponent(message.slice(0, 300)), { ...base, maxAge: 60 });
    },
    takeFlash(c: Context): string | undefined {
      const value = getCookie(c, FLASH_COOKIE, prefix);
      if (value === undefined) return undefined;
      deleteCookie(c, FLASH_COOKIE, base);
      try {
        return decodeURIComponent(value);
      } catch {
        return undefined;
      }
    },
  };
}
export type ConsoleCookieJar = ReturnType<typeof createConsoleCookies>;

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Every /ui request: a valid session or a redirect to /login (htmx requests get HX-Redirect,
 * since a redirect inside a fragment swap would paint the login page into the fragment). Then,
 * for anything that changes state, the CSRF token from the form field or the htmx header. The
 * user's id and email become the actor of every event the request appends.
 */
export function consoleSession(store: ConsoleSessionStore, cookies: ConsoleCookieJar): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const id = await cookies.readSession(c);
    const session = id ? await store.find(id) : undefined;
    if (!session) {
      if (id) cookies.clearSession(c);
      const url = new URL(c.req.url);
      const target = c.req.method === 'GET' ? `/login?next=${encodeURIComponent(url.pathname + url.search)}` : '/login';
      if (c.req.header('hx-request')) return c.body(null, 401, { 'hx-redirect': target });
      return c.redirect(target, 303);
    }
    const token = csrfTokenFor(session.csrfSecret);
    if (!SAFE.has(c.req.method)) {
      const given = c.req.header('x-csrf-token') ?? formText(await readForm(c), '_csrf');
      if (!csrfTokenMatches(token, given)) {
        return c.text('This form has expired or came from another site. Reload the page and try again.', 403);
      }
    }
    c.set('user', session.user);
    c.set('principal', principalFor(session.user));
    c.set('csrfToken', token);
    const flash = c.req.method === 'GET' ? cookies.takeFlash(c) : undefined;
    if (flash) c.set('flash', flash);
    c.header('cache-control', 'no-store');
    return withActor({ type: 'user', id: session.user.id, name: session.user.email }, next);
  };
}
