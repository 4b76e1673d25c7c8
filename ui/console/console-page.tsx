import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { ConsoleLayout } from './console-layout.js';
import type { ConsoleEnv } from './console-env.js';

/** A full console page: the layout around `body`, with the given status. */
export function consolePage(c: Context<ConsoleEnv>, title: string, body: Child, status: 200 | 201 | 403 | 404 | 409 | 422 | 500 = 200) {
  return c.html(
    <ConsoleLayout c={c} title={title}>
      {body}
    </ConsoleLayout>,
    status,
  );
}
