import type { OpenAPIHono } from '@hono/zod-openapi';
import { getConnInfo } from '@hono/node-server/conninfo';
import { getCookie, setCookie } from 'hono/cookie';
import { isCrawler } from '../http/is-crawler.js';
import { createRateLimiter } from '../http/rate-limiter.js';
import type { HubEnv } from '../http/hub-env.js';
import { createClickService } from '../services/click-service.js';
import type { HubDeps } from '../services/hub-deps.js';

export const VISITOR_COOKIE = 'rh_vid';
export const REFERRAL_COOKIE = 'rh_ref';

function clientIp(c: Parameters<typeof getConnInfo>[0]): string | undefined {
  try { return getConnInfo(c).remote.address; } catch { return undefined; }
}

/** `GET /r/:code`: record the click, remember the visitor, send them to the landing page. */
export function registerClickRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const clicks = createClickService(deps.db, deps.publicUrl, deps.ipHashSalt);
  const limiter = createRateLimiter({ limit: 120, windowMs: 60_000 });
  const secure = deps.publicUrl.startsWith('https:');

  app.get('/r/:code', async (c) => {
    const ip = clientIp(c);
    const userAgent = c.req.header('user-agent');
    // HEAD (link checkers, prefetch) and robots follow links without a person: redirect them, count nothing.
    const person = c.req.method !== 'HEAD' && !isCrawler(userAgent);
    const result = await clicks.click({
      code: c.req.param('code'), visitorId: getCookie(c, VISITOR_COOKIE), ip, userAgent,
      record: person && limiter.allow(ip ?? 'unknown'),
    });
    if (person) {
      // The visitor id is read by the page's script; the code is not (the script takes it from ?ref=).
      setCookie(c, VISITOR_COOKIE, result.visitorId, { path: '/', maxAge: 365 * 86_400, sameSite: 'Lax', secure, httpOnly: false });
      if (result.code) setCookie(c, REFERRAL_COOKIE, result.code, { path: '/', maxAge: (result.cookieDays ?? 30) * 86_400, sameSite: 'Lax', secure, httpOnly: true });
    }
    c.header('Cache-Control', 'no-store');
    return c.redirect(result.location, 302);
  });
}
