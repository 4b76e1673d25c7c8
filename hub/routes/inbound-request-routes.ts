import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { z } from 'zod';
import { connectors, INBOUND_SOURCES, inboundRequests } from '../../schema/tables/index.js';
import { listOf, pageQuery } from '../contracts/common.js';
import { inboundRequestSchema, type InboundRequestJson } from '../contracts/inbound-request-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv, Principal } from '../http/hub-env.js';
import { visibleProgramsFilter } from '../http/program-scope.js';
import { errorResponses, ok, secured } from '../http/openapi-parts.js';
import type { HubDeps } from '../services/hub-deps.js';
import { INBOUND_REQUEST_RETENTION_DAYS } from '../services/inbound-request-log.js';
import { decodeCursor, pageOf } from '../services/page-cursor.js';

/**
 * A program-limited key sees the requests of connectors it can see; Stripe and HubSpot requests
 * belong to no connector (they may concern any program), so only unlimited keys see those.
 */
function visibleRequests(deps: HubDeps, principal: Principal) {
  const filter = visibleProgramsFilter(principal, connectors.programIds);
  if (!filter) return undefined;
  return inArray(inboundRequests.connectorId, deps.db.select({ id: connectors.id }).from(connectors).where(filter));
}

/** The inbound webhook requests the hub kept (raw bodies and answers), newest first; admin only: they hold senders' data. */
export function registerInboundRequestRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
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
    async (c) => {
      const q = c.req.valid('query');
      const after = decodeCursor(q.cursor, 1);
      const rows = await deps.db
        .select()
        .from(inboundRequests)
        .where(
          and(
            visibleRequests(deps, c.get('principal')),
            q.source ? eq(inboundRequests.source, q.source) : undefined,
            q.connectorId ? eq(inboundRequests.connectorId, q.connectorId) : undefined,
            after ? lt(inboundRequests.id, after[0] as string) : undefined,
          ),
        )
        .orderBy(desc(inboundRequests.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (r) => [r.id]);
      const data: InboundRequestJson[] = page.data.map((r) => ({ ...r, receivedAt: r.receivedAt.toISOString() }));
      return c.json({ data, nextCursor: page.nextCursor }, 200);
    },
  );
}
