import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { transform } from 'esbuild';
import type { HubEnv } from '../http/hub-env.js';

// The TypeScript source beside the hub in a checkout; a compiled build copies it next to dist/ui.
const SOURCE = fileURLToPath(new URL('../../ui/referral.ts', import.meta.url));

export interface BuiltScript {
  code: string;
  etag: string;
  version: string;
  gzipBytes: number;
}

let built: Promise<BuiltScript> | undefined;

/** referral.js, minified for old browsers too, built once per process from ui/referral.ts. */
export function buildReferralScript(): Promise<BuiltScript> {
  built ??= (async () => {
    const source = await readFile(SOURCE, 'utf8');
    const { code } = await transform(source, { loader: 'ts', minify: true, target: 'es2017', format: 'iife', legalComments: 'none' });
    const version = createHash('sha256').update(code).digest('base64url').slice(0, 16);
    return { code, etag: `"${version}"`, version, gzipBytes: gzipSync(code).length };
  })();
  built.catch(() => {
    built = undefined;
  });
  return built;
}

/**
 * `GET /referral.js`: revalidated every 5 minutes by its ETag, so a new release reaches pages
 * quickly; `?v=<version>` (the script's own hash) is cached for a year, for sites that pin it.
 */
export function registerReferralScriptRoutes(app: OpenAPIHono<HubEnv>) {
  app.get('/referral.js', async (c) => {
    const script = await buildReferralScript();
    const pinned = c.req.query('v') === script.version;
    c.header('Content-Type', 'application/javascript; charset=utf-8');
    c.header('ETag', script.etag);
    c.header('Cache-Control', pinned ? 'public, max-age=31536000, immutable' : 'public, max-age=300');
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Access-Control-Allow-Origin', '*');
    if (c.req.header('if-none-match') === script.etag) return c.body(null, 304);
    return c.body(script.code, 200);
  });
}
