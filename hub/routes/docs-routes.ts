import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { HubEnv } from '../http/hub-env.js';

const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Referral Hub API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui' });</script></body></html>`;

/** `/openapi.json` generated from the route schemas, and Swagger UI served from our own package (no CDN). */
export function registerDocsRoutes(app: OpenAPIHono<HubEnv>, publicUrl: string) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer', description: 'An API key' });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Referral Hub API',
      version: '1.0.0',
      description: 'Run a referral program and keep every other system in sync with it.',
    },
    servers: [{ url: publicUrl }],
  });
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.notFound();
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(await readFile(join(SWAGGER_DIR, file)), 200, { 'Content-Type': type });
  });
}
