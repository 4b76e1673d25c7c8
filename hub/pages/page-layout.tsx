import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { COPY_SCRIPT, PAGE_CSS } from './page-assets.js';

/**
 * The frame of every hosted page: language, viewport for phones, the inline stylesheet, and the
 * copy script only on pages that show a link to copy. Pages are personal or per-invitation,
 * so search engines are asked to leave them out.
 */
export function PageLayout(props: { title: string; programName?: string; copyScript?: boolean; children: Child }) {
  const title = props.programName ? `${props.title} · ${props.programName}` : props.title;
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="robots" content="noindex, nofollow" />
          <title>{title}</title>
          <style dangerouslySetInnerHTML={{ __html: PAGE_CSS }} />
        </head>
        <body>
          <main>
            {props.programName ? <p class="eyebrow">{props.programName}</p> : null}
            {props.children}
          </main>
          {props.copyScript ? <script dangerouslySetInnerHTML={{ __html: COPY_SCRIPT }} /> : null}
        </body>
      </html>
    </>
  );
}
