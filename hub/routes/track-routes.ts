import type { OpenAPIHono } from '@hono/zod-openapi';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { z } from 'zod';
import {
  trackClickSchema,
  trackConversionSchema,
  trackedClickSchema,
  trackedConversionSchema,
  trackedJoinSchema,
  trackJoinSchema,
} from '../contracts/track-contract.js';
import { ApiError, errorBody, errorEnvelopeSchema, issuesToDetails } from '../http/api-error.js';
import { createClientIp } from '../http/client-ip.js';
import { hostnameAllowed } from '../http/hostname-allowed.js';
import type { HubEnv } from '../http/hub-env.js';
import { isCrawler } from '../http/is-crawler.js';
import { jsonNestingDepth } from '../http/json-depth-limit.js';
import { pageOrigin, type PageOrigin } from '../http/page-origin.js';
import { createRateLimiter } from '../http/rate-limiter.js';
import { requestBodyLimit } from '../http/request-body-limit.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createTrackService, type Visitor } from '../services/track-service.js';
import { REFERRAL_COOKIE, VISITOR_COOKIE } from './click-routes.js';

export const TRACK_CLICK_PATH = '/api/v1/track/click';
export const TRACK_CONVERSION_PATH = '/api/v1/track/conversion';
export const TRACK_JOIN_PATH = '/api/v1/track/join';
/** Paths outside API-key authentication: the publishable key in the body is their credential. */
export const TRACK_PATHS: readonly string[] = [TRACK_CLICK_PATH, TRACK_CONVERSION_PATH, TRACK_JOIN_PATH];
/** A click or a conversion is a few hundred bytes; anything near this is not from our script. */
export const TRACK_BODY_LIMIT_BYTES = 8 * 1024;
/** Requests per minute and hub replica. A key's budget is its program's, per endpoint. */
export const TRACK_RATE_LIMITS = { perKey: 600, clicksPerIp: 120, conversionsPerIp: 60 };

const MAX_JSON_DEPTH = 8;
const tags = ['Public tracking'];

function peerAddress(c: Context<HubEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

class TooMany extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('rate limited');
  }
}

/**
 * The body as JSON, whether sent as `application/json` or as `text/plain` (what `sendBeacon`
 * and a preflight-free `fetch` send). Other types are refused: a form post is not ours.
 */
function parseBody(text: string, contentType: string | undefined): Record<string, unknown> {
  const type = (contentType ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && type !== 'text/plain')
    throw new ApiError('malformed_json', 'Send the body as JSON (Content-Type application/json or text/plain)');
  if (jsonNestingDepth(text) > MAX_JSON_DEPTH)
    throw new ApiError('validation_failed', 'The request body is nested too deeply', [{ path: '', message: 'nested too deeply' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ApiError('malformed_json', 'The request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ApiError('validation_failed', 'The request body must be a JSON object', [{ path: '', message: 'expected an object' }]);
  return parsed as Record<string, unknown>;
}

function allowOrigin(c: Context<HubEnv>, page: PageOrigin) {
  c.header('Access-Control-Allow-Origin', page.origin);
  c.header('Access-Control-Expose-Headers', 'Retry-After');
}

/**
 * `POST /api/v1/track/click` and `/conversion`: what referral.js calls from a merchant's pages.
 * The publishable key rides in the body (beacons cannot set headers) and only names a program;
 * the calling page must be on that program's allowed hostnames, and CORS echoes that page's
 * origin alone. Admin routes never answer CORS; these never accept a secret API key.
 */
export function registerTrackRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const track = createTrackService(deps);
  const limits = { ...TRACK_RATE_LIMITS, ...deps.trackRateLimits };
  const perMinute = (limit: number) => createRateLimiter({ limit, windowMs: 60_000 });
  const clientIp = createClientIp(deps.trustedProxies ?? []);
  const endpoints = {
    [TRACK_CLICK_PATH]: { byIp: perMinute(limits.clicksPerIp), byKey: perMinute(limits.perKey) },
    [TRACK_CONVERSION_PATH]: { byIp: perMinute(limits.conversionsPerIp), byKey: perMinute(limits.perKey) },
    // Joining writes a member: held to the same per-address budget as conversions.
    [TRACK_JOIN_PATH]: { byIp: perMinute(limits.conversionsPerIp), byKey: perMinute(limits.perKey) },
  };

  /** Checks shared by both endpoints, in order; returns the key's program and the validated body. */
  async function admit<S extends z.ZodType>(c: Context<HubEnv>, path: keyof typeof endpoints, schema: S) {
    c.header('Vary', 'Origin');
    c.header('Cache-Control', 'no-store');
    const ip = clientIp(peerAddress(c), c.req.header('x-forwarded-for'));
    const byIp = endpoints[path].byIp.hit(ip ?? 'unknown');
    if (!byIp.allowed) throw new TooMany(byIp.retryAfterSeconds);
    // A secret key has no business in a page: say so rather than let it pass unnoticed. (Other
    // schemes, e.g. Basic auth of a staging site proxied to us, are not ours and not read.)
    if (/^bearer\b/i.test(c.req.header('authorization') ?? ''))
      throw new ApiError('forbidden', 'These endpoints take the publishable key in the body; never send a secret API key from a page');
    const page = pageOrigin(c.req.header('origin'), c.req.header('referer'));
    if (!page) throw new ApiError('forbidden', 'The calling page is unknown: the request needs an Origin or Referer header');
    const body = parseBody(await c.req.text(), c.req.header('content-type'));
    const program = typeof body.key === 'string' ? await track.programOfKey(body.key) : undefined;
    // One answer for every key that is not a current publishable key (rotated, secret, made up).
    if (!program) throw new ApiError('unauthorized', 'Missing or unknown publishable key');
    if (!hostnameAllowed(page.hostname, program.allowedHostnames))
      throw new ApiError('forbidden', `Pages on ${page.hostname} may not use this key (see the program's share.allowedHostnames)`);
    allowOrigin(c, page);
    const byKey = endpoints[path].byKey.hit(program.id);
    if (!byKey.allowed) throw new TooMany(byKey.retryAfterSeconds);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ApiError('validation_failed', 'The request is not valid', issuesToDetails(parsed.error.issues));
    const visitor: Visitor = { cookie: getCookie(c, VISITOR_COOKIE), ip, userAgent: c.req.header('user-agent') };
    return { program, input: parsed.data as z.infer<S>, visitor };
  }

  /** Runs a handler, answering rate limits with Retry-After (other errors go to the app's handler). */
  const guarded =
    (handler: (c: Context<HubEnv>) => Promise<Response>) =>
    async (c: Context<HubEnv>): Promise<Response> => {
      try {
        return await handler(c);
      } catch (err) {
        if (!(err instanceof TooMany)) throw err;
        c.header('Retry-After', String(err.retryAfterSeconds));
        return c.json(
          errorBody('rate_limited', `Too many requests; try again in ${err.retryAfterSeconds} seconds`, {
            retryAfterSeconds: err.retryAfterSeconds,
          }),
          429,
        );
      }
    };

  app.use(
    '/api/v1/track/*',
    requestBodyLimit(TRACK_BODY_LIMIT_BYTES, (c) =>
      c.json(errorBody('payload_too_large', `Tracking bodies are limited to ${TRACK_BODY_LIMIT_BYTES} bytes`), 413),
    ),
  );

  // Preflights carry no key, so an origin is let through when any active program allows its
  // hostname; the request itself is then checked against its own program's list.
  for (const path of TRACK_PATHS)
    app.options(path, async (c) => {
      c.header('Vary', 'Origin');
      const origin = c.req.header('origin');
      const page = origin === undefined ? undefined : pageOrigin(origin, undefined);
      const method = c.req.header('access-control-request-method');
      if (
        !page ||
        (method !== undefined && method.toUpperCase() !== 'POST') ||
        !hostnameAllowed(page.hostname, await track.allowedHostnameEntries())
      )
        return c.json(errorBody('forbidden', 'This origin may not call the tracking endpoints'), 403);
      allowOrigin(c, page);
      c.header('Access-Control-Allow-Methods', 'POST, OPTIONS');
      c.header('Access-Control-Allow-Headers', 'Content-Type');
      c.header('Access-Control-Max-Age', '600');
      return c.body(null, 204);
    });

  app.post(
    TRACK_CLICK_PATH,
    guarded(async (c) => {
      const { program, input, visitor } = await admit(c, TRACK_CLICK_PATH, trackClickSchema);
      // Robots and headless browsers run pages too; their visits are not clicks.
      if (isCrawler(visitor.userAgent)) return c.body(null, 204);
      const clickId = await track.click(program, input, visitor);
      // Behind a merchant's same-origin proxy this cookie is the merchant's own, set by a server:
      // it outlives the week browsers allow cookies written by scripts. Readable by referral.js.
      setCookie(c, REFERRAL_COOKIE, input.code, {
        path: '/',
        maxAge: program.cookieDays * 86_400,
        sameSite: 'Lax',
        secure: (c.req.header('origin') ?? c.req.header('referer') ?? '').startsWith('https:'),
      });
      return c.json({ clickId, cookieDays: program.cookieDays }, 200);
    }),
  );

  app.post(
    TRACK_CONVERSION_PATH,
    guarded(async (c) => {
      const { program, input, visitor } = await admit(c, TRACK_CONVERSION_PATH, trackConversionSchema);
      const { created, referralId } = await track.convert(program, input, visitor);
      return c.json({ referralId }, created ? 201 : 200);
    }),
  );

  app.post(
    TRACK_JOIN_PATH,
    guarded(async (c) => {
      const { program, input } = await admit(c, TRACK_JOIN_PATH, trackJoinSchema);
      return c.json(await track.join(program, input), 200);
    }),
  );

  const errors = (...statuses: number[]) =>
    Object.fromEntries(
      statuses.map((s) => [s, { description: 'Error', content: { 'application/json': { schema: errorEnvelopeSchema } } }]),
    );
  const body = (schema: z.ZodType) => ({
    required: true,
    content: { 'application/json': { schema }, 'text/plain': { schema } },
  });
  const description =
    "Public: the program's publishable key is in the body (JSON, or text/plain for sendBeacon); no API key. The calling page (Origin, else Referer) " +
    "must be on the program's share.allowedHostnames, and CORS echoes only that origin; anything else is 403 forbidden. " +
    'An unknown or rotated key is 401 unauthorized; an Authorization: Bearer header is 403. Over the limits: 429 rate_limited with Retry-After.';
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: TRACK_CLICK_PATH,
    tags,
    summary: "Record a click from a merchant's page (publishable key; repeats within 30 minutes are one click)",
    description,
    request: { body: body(trackClickSchema) },
    responses: {
      200: {
        description: 'Recorded, or the same visitor’s click on this code in the last 30 minutes',
        content: { 'application/json': { schema: trackedClickSchema } },
      },
      204: { description: 'Not counted: a robot or headless browser' },
      ...errors(400, 401, 403, 413, 422, 429),
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: TRACK_JOIN_PATH,
    tags,
    summary: 'Join as a member from the share widget (publishable key; idempotent per email) and get the member’s own link',
    description,
    request: { body: body(trackJoinSchema) },
    responses: {
      200: {
        description: 'The member’s link (new or existing member alike)',
        content: { 'application/json': { schema: trackedJoinSchema } },
      },
      ...errors(400, 401, 403, 413, 422, 429),
    },
  });
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: TRACK_CONVERSION_PATH,
    tags,
    summary: "Record a conversion from a merchant's page (publishable key; needs share.webConversions)",
    description:
      `${description} Status is always pending and source web; amount and currency are kept as customFields.reportedAmount/reportedCurrency ` +
      'and never drive rewards. The same orderId again, or an email already referred, answers the existing referral with 200.',
    request: { body: body(trackConversionSchema) },
    responses: {
      201: { description: 'Recorded', content: { 'application/json': { schema: trackedConversionSchema } } },
      200: {
        description: 'This order or email was already recorded',
        content: { 'application/json': { schema: trackedConversionSchema } },
      },
      ...errors(400, 401, 403, 413, 422, 429),
    },
  });
}
