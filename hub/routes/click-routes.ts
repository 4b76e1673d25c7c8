import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { errorBody } from '../http/api-error.js';
import { createClientIp } from '../http/client-ip.js';
import { isCrawler } from '../http/is-crawler.js';
import { peerAddress } from '../http/peer-address.js';
import { createRateLimiter } from '../http/rate-limiter.js';
import type { HubEnv } from '../http/hub-env.js';
import { createClickService } from '../services/click-service.js';
import type { HubDeps } from '../services/hub-deps.js';

export const VISITOR_COOKIE = 'rh_vid';
export const REFERRAL_COOKIE = 'rh_ref';
/** Requests to /r/:code per client address and minute. */
export const CLICK_RATE_LIMIT = 120;

/**
 * Over the limit the click is not recorded, so the caller is told (429): a browser gets a short
 * page that retries by itself once the window turns, anything else the API's error envelope.
 */
function tooManyClicks(c: Context<HubEnv>, retryAfterSeconds: number) {
  c.header('Retry-After', String(retryAfterSeconds));
  c.header('Cache-Control', 'no-store');
  const message = `Too many clicks from this address; try again in ${retryAfterSeconds} seconds`;
  if ((c.req.header('accept') ?? '').includes('text/html')) {
    return c.html(
      `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="${retryAfterSeconds}">` +
        `<title>One moment</title><p>${message}. This page retries by itself.</p>`,
      429,
    );
  }
  return c.json(errorBody('rate_limited', message, { retryAfterSeconds }), 429);
}

/** `GET /r/:code`: record the click, remember the visitor, send them to the landing page. */
export function registerClickRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const clicks = createClickService(deps.db, deps.sql, deps.publicUrl, deps.ipHashSalt);
  const limiter = createRateLimiter({ limit: CLICK_RATE_LIMIT, windowMs: 60_000 });
  const clientIp = createClientIp(deps.trustedProxies ?? []);
  const secure = deps.publicUrl.startsWith('https:');

  app.get('/r/:code', async (c) => {
    const ip = clientIp(peerAddress(c), c.req.header('x-forwarded-for'));
    const verdict = limiter.hit(ip ?? 'unknown');
    if (!verdict.allowed) return tooManyClicks(c, verdict.retryAfterSeconds);
    const userAgent = c.req.header('user-agent');
    // HEAD (link checkers, prefetch) and robots follow links without a person: redirect them, count nothing.
    const person = c.req.method !== 'HEAD' && !isCrawler(userAgent);
    const result = await clicks.click({
      code: c.req.param('code'),
      visitorId: getCookie(c, VISITOR_COOKIE),
      ip,
      userAgent,
      record: person,
    });
    if (person) {
      // The visitor id is read by the page's script; the code is not (the script takes it from ?ref=).
      setCookie(c, VISITOR_COOKIE, result.visitorId, { path: '/', maxAge: 365 * 86_400, sameSite: 'Lax', secure, httpOnly: false });
      if (result.code)
        setCookie(c, REFERRAL_COOKIE, result.code, {
          path: '/',
          maxAge: (result.cookieDays ?? 30) * 86_400,
          sameSite: 'Lax',
          secure,
          httpOnly: true,
        });
    }
    c.header('Cache-Control', 'no-store');
    return c.redirect(result.location, 302);
  });
}
