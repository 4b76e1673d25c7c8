import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { CONSOLE_CSS_VERSION } from './console-css.js';

/** The frame of the pages before sign-in (sign-in, first setup, password links): no navigation. */
export function PublicLayout(props: { title: string; children: Child }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex, nofollow" />
          <title>{`${props.title} · Referral Hub`}</title>
          <link rel="stylesheet" href={`/ui/assets/console.${CONSOLE_CSS_VERSION}.css`} />
        </head>
        <body>
          <header class="top">
            <span class="brand">Referral Hub</span>
          </header>
          <main id="main" style="max-width:26rem">
            <h1>{props.title}</h1>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}
