import type { Context } from 'hono';
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { CONSOLE_CSS_VERSION } from './console-css.js';
import { roleAtLeast, type ConsoleEnv } from './console-env.js';
import { CONSOLE_NAV } from './console-nav.js';
import { HTMX_PATH } from './console-assets.js';

const isCurrent = (href: string, path: string) => (href === '/ui' ? path === '/ui' : path === href || path.startsWith(`${href}/`));

/**
 * The frame of every signed-in page: skip link, navigation (only what the role may open), who is
 * signed in with a sign-out button, the flash message, then the page. The CSRF token rides on
 * <body> for htmx requests (hx-headers is inherited), and in a hidden field of every form.
 */
export function ConsoleLayout(props: { c: Context<ConsoleEnv>; title: string; children: Child }) {
  const { c } = props;
  const user = c.get('user');
  const path = new URL(c.req.url).pathname;
  const flash = c.get('flash');
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex, nofollow" />
          <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false}' />
          <title>{`${props.title} · Referral Hub`}</title>
          <link rel="stylesheet" href={`/ui/assets/console.${CONSOLE_CSS_VERSION}.css`} />
          <script src={HTMX_PATH} defer></script>
        </head>
        <body hx-headers={JSON.stringify({ 'x-csrf-token': c.get('csrfToken') })}>
          <a class="skip" href="#main">
            Skip to content
          </a>
          <header class="top">
            <a class="brand" href="/ui">
              Referral Hub
            </a>
            <nav class="main" aria-label="Main">
              <ul>
                {CONSOLE_NAV.filter((item) => roleAtLeast(user.role, item.role)).map((item) => (
                  <li>
                    <a href={item.href} aria-current={isCurrent(item.href, path) ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            <div class="who">
              <span>
                {user.email} ({user.role})
              </span>
              <form method="post" action="/logout">
                <CsrfField c={c} />
                <button type="submit">Sign out</button>
              </form>
            </div>
          </header>
          <main id="main" tabindex={-1}>
            <h1>{props.title}</h1>
            {flash ? (
              <p class="notice" role="status">
                {flash}
              </p>
            ) : null}
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/** The hidden CSRF field every console form carries. */
export function CsrfField(props: { c: Context<ConsoleEnv> }) {
  return <input type="hidden" name="_csrf" value={props.c.get('csrfToken')} />;
}
