import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { randomUUID } from 'node:crypto';
import { CSRF_FIELD, HONEYPOT_FIELD } from '../pages/form-parts.js';
import { MessagePage } from '../pages/message-page.js';
import { COPY_SCRIPT_HASH, PAGE_CSS_HASH } from '../pages/page-assets.js';
import { createHostedProgramService, type HostedProgram } from '../services/hosted-program-service.js';
import type { HubDeps } from '../services/hub-deps.js';
import { REFERRAL_COOKIE, VISITOR_COOKIE } from '../routes/click-routes.js';
import { createClientIp } from './client-ip.js';
import { createFormTokens } from './form-tokens.js';
import type { HubEnv } from './hub-env.js';
import { peerAddress } from './peer-address.js';
import { createPortalSessions } from './portal-session.js';
import { createRateLimiter } from './rate-limiter.js';

/** Form submissions to the hosted pages per client address and minute (sign-ups, conversions, sign-in requests). */
export const HOSTED_POST_RATE_LIMIT = 20;

type Ctx = Context<HubEnv>;

/** A submitted form after the guards every hosted form shares. */
export type FormOutcome =
  | { kind: 'refused'; response: Response }
  /** The honeypot was filled: answer as if it worked, do nothing. */
  | { kind: 'robot' }
  | { kind: 'ok'; fields: Record<string, string> };

/**
 * What every hosted page shares: headers (a strict CSP, no caching, no framing), the POST guard
 * (rate limit, then the Origin check), the per-form token and honeypot, the program by slug,
 * the visitor cookie, and the pages for refusals.
 */
export function createHostedPageKit(deps: HubDeps) {
  const secure = deps.publicUrl.startsWith('https:');
  const publicOrigin = new URL(deps.publicUrl).origin;
  const programs = createHostedProgramService(deps.db);
  const formTokens = createFormTokens({ secret: deps.pageSecret, secure });
  const sessions = createPortalSessions({ secret: deps.pageSecret, secure });
  const limiter = createRateLimiter({ limit: HOSTED_POST_RATE_LIMIT, windowMs: 60_000 });
  const clientIp = createClientIp(deps.trustedProxies ?? []);
  // The hub's public origin, or the origin the browser addressed (both are ours; a forged form's is not).
  const originCheck = csrf({ origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin });

  const page = (c: Ctx, node: Parameters<Ctx['html']>[0], status: 200 | 403 | 404 | 410 | 422 | 429 = 200) => c.html(node, status);

  const headers: MiddlewareHandler<HubEnv> = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      styleSrc: [PAGE_CSS_HASH],
      scriptSrc: [COPY_SCRIPT_HASH],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
    strictTransportSecurity: secure ? 'max-age=31536000; includeSubDomains' : false,
  });

  const forbidden = (c: Ctx) =>
    page(
      c,
      <MessagePage title="This form has expired">
        <p>
          We could not accept this form: it was sent from another site, or it was open for too long, or your browser does not keep cookies
          for this site. Go back, reload the page and send it again.
        </p>
      </MessagePage>,
      403,
    );

  const postGuard: MiddlewareHandler<HubEnv> = async (c, next) => {
    if (c.req.method !== 'POST') return next();
    const verdict = limiter.hit(clientIp(peerAddress(c), c.req.header('x-forwarded-for')) ?? 'unknown');
    if (!verdict.allowed) {
      c.header('Retry-After', String(verdict.retryAfterSeconds));
      return page(
        c,
        <MessagePage title="One moment, please">
          <p>Too many forms were sent from your address. Try again in {verdict.retryAfterSeconds} seconds.</p>
        </MessagePage>,
        429,
      );
    }
    try {
      await originCheck(c, async () => undefined);
    } catch (err) {
      if (err instanceof HTTPException && err.status === 403) return forbidden(c);
      throw err;
    }
    return next();
  };

  return {
    programs,
    formTokens,
    sessions,
    secure,
    page,

    /** For every /p/* answer: security headers, and nothing cached (pages carry form tokens and personal data). */
    middleware: [
      headers,
      (async (c, next) => {
        await next();
        c.header('Cache-Control', 'no-store');
      }) as MiddlewareHandler<HubEnv>,
      postGuard,
    ],

    /** The program named in the URL, or the 404 page to answer. */
    async program(c: Ctx): Promise<HostedProgram | Response> {
      const program = await programs.bySlug(c.req.param('slug') ?? '');
      if (program) return program;
      return page(
        c,
        <MessagePage title="Page not found">
          <p>There is no referral program at this address. Check the link you were given.</p>
        </MessagePage>,
        404,
      );
    },

    /** The polite page of a program that is paused or archived. */
    closed(c: Ctx, program: HostedProgram) {
      return page(
        c,
        <MessagePage title="This program is not running" programName={program.name}>
          <p>
            {program.status === 'paused'
              ? `${program.name}'s referral program is paused for now. Please come back later.`
              : `${program.name}'s referral program has ended. Thank you for your interest.`}
          </p>
        </MessagePage>,
      );
    },

    /** The Origin check has run (postGuard); this checks the form token and the honeypot and returns the fields. */
    async readForm(c: Ctx, slug: string): Promise<FormOutcome> {
      const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      if (!formTokens.verify(c, slug, body[CSRF_FIELD])) return { kind: 'refused', response: await forbidden(c) };
      const fields: Record<string, string> = {};
      for (const [name, value] of Object.entries(body)) if (typeof value === 'string') fields[name] = value.trim();
      if (fields[HONEYPOT_FIELD]) return { kind: 'robot' };
      return { kind: 'ok', fields };
    },

    /** The browser's visitor id (set by /r/:code), given one here when it has none, so self-referrals can be told. */
    visitorId(c: Ctx, opts: { create: boolean }): string | undefined {
      const current = getCookie(c, VISITOR_COOKIE);
      if (current && /^[\w-]{8,64}$/.test(current)) return current;
      if (!opts.create) return undefined;
      const id = randomUUID();
      setCookie(c, VISITOR_COOKIE, id, { path: '/', maxAge: 365 * 86_400, sameSite: 'Lax', secure, httpOnly: false });
      return id;
    },

    /** The code /r/:code remembered for this browser. */
    rememberedCode(c: Ctx): string | undefined {
      return getCookie(c, REFERRAL_COOKIE);
    },
  };
}

export type HostedPageKit = ReturnType<typeof createHostedPageKit>;
