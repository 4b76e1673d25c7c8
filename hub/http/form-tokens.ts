import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { HubEnv } from './hub-env.js';

const COOKIE = 'rh_csrf';

/**
 * Per-form CSRF tokens, on top of the Origin check: a random browser secret in an HttpOnly cookie,
 * and in each form an HMAC of it and the program's slug. Another site can make a browser send
 * the cookie but can neither read it nor compute the token without the hub's key.
 */
export function createFormTokens(opts: { secret: string; secure: boolean }) {
  const key = createHmac('sha256', opts.secret).update('hosted-page-form-token').digest();
  const prefix = opts.secure ? ('host' as const) : undefined;
  const tokenFor = (browserSecret: string, slug: string) =>
    createHmac('sha256', key).update(`${browserSecret}\n${slug}`).digest('base64url');
  const readSecret = (c: Context<HubEnv>) => {
    const value = getCookie(c, COOKIE, prefix);
    return value && /^[\w-]{43}$/.test(value) ? value : undefined;
  };

  return {
    /** The token for a form on this program's pages; gives the browser its secret on first sight. */
    issue(c: Context<HubEnv>, slug: string): string {
      let secret = readSecret(c);
      if (!secret) {
        secret = randomBytes(32).toString('base64url');
        // A session cookie: a form left open past it asks for a reload, nothing worse.
        setCookie(c, COOKIE, secret, { path: '/', httpOnly: true, sameSite: 'Lax', secure: opts.secure, prefix });
      }
      return tokenFor(secret, slug);
    },

    /** Whether a submitted token belongs to this browser and this program. */
    verify(c: Context<HubEnv>, slug: string, token: unknown): boolean {
      const secret = readSecret(c);
      if (!secret || typeof token !== 'string') return false;
      const expected = Buffer.from(tokenFor(secret, slug));
      const given = Buffer.from(token);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

export type FormTokens = ReturnType<typeof createFormTokens>;
