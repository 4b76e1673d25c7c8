import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { idParam } from '../contracts/common.js';
import { apiKeyCreateSchema, apiKeySchema } from '../contracts/api-key-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import { createApiKeyService } from '../services/api-key-service.js';
import type { HubDeps } from '../services/hub-deps.js';

export function registerApiKeyRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const keys = createApiKeyService(deps.db);
  const tags = ['API keys'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/me',
      tags,
      security: secured,
      summary: 'The calling key (auth test for Zapier and scripts)',
      responses: {
        200: ok(
          z.object({
            apiKey: z.object({ id: z.string(), name: z.string(), scopes: z.array(z.string()), programIds: z.array(z.string()) }),
          }),
          'The key',
        ),
        ...errorResponses(),
      },
    }),
    (c) => {
      const p = c.get('principal');
      return c.json({ apiKey: { id: p.id, name: p.name, scopes: p.scopes, programIds: p.programIds } }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/api-keys',
      tags,
      security: secured,
      middleware: [requireScope('admin')],
      summary: 'Create an API key (the key is shown once)',
      request: jsonBody(apiKeyCreateSchema),
      description: 'An Idempotency-Key replay answers the same key without `key`: the secret is shown once and never stored.',
      responses: { 201: ok(apiKeySchema.extend({ key: z.string().optional() }), 'Created'), ...errorResponses(400, 409, 413) },
    }),
    async (c) => {
      c.set('credentialFields', ['key']);
      return c.json(await keys.create(c.get('principal'), c.req.valid('json')), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/api-keys',
      tags,
      security: secured,
      middleware: [requireScope('admin')],
      summary: 'List API keys',
      responses: {
        200: ok(z.object({ data: z.array(apiKeySchema), nextCursor: z.null() }), 'All keys (never the secret)'),
        ...errorResponses(),
      },
    }),
    async (c) => c.json({ data: await keys.list(c.get('principal')), nextCursor: null }, 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/api-keys/{id}',
      tags,
      security: secured,
      middleware: [requireScope('admin')],
      summary: 'Revoke an API key',
      request: { params: idParam('API key') },
      responses: { 204: { description: 'Revoked' }, ...errorResponses(404) },
    }),
    async (c) => {
      await keys.revoke(c.get('principal'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
}
