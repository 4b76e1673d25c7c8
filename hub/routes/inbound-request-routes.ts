import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { INBOUND_SOURCES } from '../../schema/tables/index.js';
import { listOf, pageQuery } from '../contracts/common.js';
import { inboundRequestSchema } from '../contracts/inbound-request-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, ok, secured } from '../http/openapi-parts.js';
import type { HubDeps } from '../services/hub-deps.js';
import { INBOUND_REQUEST_RETENTION_DAYS } from '../services/inbound-request-log.js';
import { createInboundRequestService } from '../services/inbound-request-service.js';

/** The inbound webhook requests the hub kept (raw bodies and answers), newest first; admin only: they hold senders' data. */
export function registerInboundRequestRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const svc = createInboundRequestService(deps);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/inbound-requests',
      tags: ['Inbound webhooks'],
      security: secured,
      middleware: [requireScope('admin')],
      summary: 'Authenticated inbound webhook requests with their raw body and answer, newest first',
      description: `Kept ${INBOUND_REQUEST_RETENTION_DAYS} days. Requests that failed authentication (unknown token, bad signature) are not kept.`,
      request: {
        query: z.object({ ...pageQuery, source: z.enum(INBOUND_SOURCES).optional(), connectorId: z.string().max(64).optional() }),
      },
      responses: { 200: ok(listOf(inboundRequestSchema), 'A page of requests'), ...errorResponses() },
    }),
    async (c) => c.json(await svc.list(c.get('principal'), c.req.valid('query')), 200),
  );
}
