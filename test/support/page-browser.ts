import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import type { Harness } from './hub-harness.js';

export interface PageAnswer {
  status: number;
  headers: Headers;
  html: string;
}

export interface HtmlForm {
  action: string;
  fields: Record<string, string>;
}

const decode = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const attribute = (tag: string, name: string) => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? decode(match[1]!) : undefined;
};

/** Every `<form method="post">` of a page with the values its inputs carry, as a browser would submit them. */
export function formsOf(html: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const fields: Record<string, string> = {};
    for (const input of match[2]!.matchAll(/<input\b[^>]*>/g)) {
      const name = attribute(input[0], 'name');
      if (name) fields[name] = attribute(input[0], 'value') ?? '';
    }
    forms.push({ action: attribute(match[1]!, 'action') ?? '', fields });
  }
  return forms;
}

/**
 * The harness's app behind a real HTTP server, and browsers for it: each keeps its own cookies,
 * sends what a browser sends with a form (Origin, urlencoded body), no scripts, and comes from
 * its own client address (X-Forwarded-For from a trusted loopback proxy), so rate limits of one
 * test never spill into another.
 */
export async function servePages(h: Harness) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let clients = 0;

  function browser(opts: { ip?: string } = {}) {
    clients++;
    const ip = opts.ip ?? `198.51.${Math.floor(clients / 250)}.${clients % 250}`;
    const jar = new Map<string, string>();

    async function request(method: 'GET' | 'POST', path: string, form?: Record<string, string>, headers: Record<string, string> = {}) {
      const res = await fetch(`${base}${path}`, {
        method,
        redirect: 'manual',
        headers: {
          accept: 'text/html',
          'x-forwarded-for': ip,
          ...(jar.size > 0 ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
          ...(method === 'POST' ? { origin: base, 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...headers,
        },
        body: form ? new URLSearchParams(form).toString() : undefined,
      });
      for (const line of res.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        const name = pair!.slice(0, eq);
        const value = pair!.slice(eq + 1);
        if (/max-age=0/i.test(line) || value === '') jar.delete(name);
        else jar.set(name, value);
      }
      return { status: res.status, headers: res.headers, html: await res.text() } satisfies PageAnswer;
    }

    return {
      ip,
      cookies: jar,
      get: (path: string, headers?: Record<string, string>) => request('GET', path, undefined, headers),
      post: (path: string, form: Record<string, string>, headers?: Record<string, string>) => request('POST', path, form, headers),
      /** Submits the page's form whose action is `action` (the first form if omitted) with these values filled in. */
      submit(page: PageAnswer, values: Record<string, string>, action?: string, headers?: Record<string, string>) {
        const form = formsOf(page.html).find((f) => action === undefined || f.action === action);
        if (!form) throw new Error(`no form${action ? ` posting to ${action}` : ''} on the page:\n${page.html}`);
        return request('POST', form.action, { ...form.fields, ...values }, headers);
      },
    };
  }

  return {
    base,
    browser,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type PageBrowser = ReturnType<Awaited<ReturnType<typeof servePages>>['browser']>;
