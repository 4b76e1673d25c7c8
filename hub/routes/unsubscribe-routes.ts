import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { HubEnv } from '../http/hub-env.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createUnsubscribeService } from '../services/unsubscribe-service.js';

type Page = ReturnType<typeof html>;

function page(title: string, body: Page) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>${title}</title>
        <style>
          body {
            font-family: sans-serif;
            max-width: 32rem;
            margin: 3rem auto;
            padding: 0 1rem;
            line-height: 1.5;
          }
          button {
            font-size: 1rem;
            padding: 0.5rem 1rem;
          }
        </style>
      </head>
      <body>
        <h1>${title}</h1>
        ${body}
      </body>
    </html>`;
}

/** The token is in the path: keep it out of caches, referrers and search engines. */
function privateHeaders(c: Context<HubEnv>) {
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Robots-Tag', 'noindex');
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
}

const notValid = () =>
  page('Link not valid', html`<p>This unsubscribe link is not valid. Please use the link from the email exactly as it was sent.</p>`);

/**
 * `GET /u/:token` shows what the link would do and a button; only the `POST` it sends (or a mail
 * client's RFC 8058 one-click `POST` with `List-Unsubscribe=One-Click`) unsubscribes, because
 * mail scanners and link previews follow every `GET` in an email. The token is the credential,
 * so the POST needs no CSRF check: a site that can make it already holds the person's link.
 */
export function registerUnsubscribeRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const unsubscribe = createUnsubscribeService(deps.db, deps.unsubscribeKey);

  app.get('/u/:token', async (c) => {
    privateHeaders(c);
    const target = await unsubscribe.targetOf(c.req.param('token'));
    if (!target) return c.html(notValid(), 404);
    if (target.suppressed) {
      return c.html(
        page('You are unsubscribed', html`<p>${target.email} gets no more invitations or reminders from ${target.programName}.</p>`),
      );
    }
    return c.html(
      page(
        `Unsubscribe from ${target.programName}?`,
        html`<p>${target.email} will get no more invitations, welcome emails or reminders from ${target.programName}.</p>
          <form method="post" action="/u/${c.req.param('token')}">
            <button type="submit">Unsubscribe</button>
          </form>`,
      ),
    );
  });

  app.post('/u/:token', async (c) => {
    privateHeaders(c);
    const target = await unsubscribe.unsubscribe(c.req.param('token'));
    if (!target) return c.html(notValid(), 404);
    deps.logger.info({ programId: target.programId }, 'an address unsubscribed from share emails');
    return c.html(
      page('You are unsubscribed', html`<p>${target.email} gets no more invitations or reminders from ${target.programName}.</p>`),
    );
  });
}
