import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { EVENT_TYPES } from '../../schema/append-event.js';
import { newId } from '../../lib/ids.js';
import { idParam } from '../contracts/common.js';
import { ApiError } from '../http/api-error.js';
import { assertProgramAccess, requireScope } from '../http/api-key-auth.js';
import type { HubEnv, Principal } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import { createConnectorService } from '../services/connector-service.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createProgramService } from '../services/program-service.js';

const hookSchema = z
  .object({ id: z.string(), event: z.string(), targetUrl: z.string(), programId: z.string().optional() })
  .meta({ id: 'Hook' });
const programIdField = z
  .string()
  .min(1)
  .max(64)
  .optional()
  .meta({ description: "Only this program's events (default: every program the API key may see)" });

/**
 * Zapier REST hooks (subscribe / unsubscribe / perform list). A subscription is a `zapier`
 * connector with one event type (and the Zap's program, if it picked one), so it shares the
 * sync, retries and delivery ledger.
 */
export function registerHookRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const svc = createConnectorService(deps);
  const tags = ['Zapier'];

  const programs = createProgramService(deps.db);

  /** A Zap limited to one program: one the key may see (403) and that exists (404). */
  async function oneProgram(principal: Principal, programId: string): Promise<string[]> {
    assertProgramAccess(principal, programId);
    await programs.getVisible(principal, programId);
    return [programId];
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/hooks',
      tags,
      security: secured,
      middleware: [requireScope('write')],
      summary: 'Subscribe a REST hook',
      request: jsonBody(
        z.object({ event: z.enum(EVENT_TYPES), targetUrl: z.url({ protocol: /^https?$/ }).max(2000), programId: programIdField }).strict(),
      ),
      responses: { 201: ok(hookSchema, 'Subscribed'), ...errorResponses(400, 403, 404, 409, 413) },
    }),
    async (c) => {
      const { event, targetUrl, programId } = c.req.valid('json');
      const principal = c.get('principal');
      const programIds = programId ? await oneProgram(principal, programId) : principal.programIds;
      const created = await svc.create(
        principal,
        {
          kind: 'zapier',
          name: `Zapier: ${event}`,
          settings: { targetUrl },
          secrets: {},
          events: [event],
          programIds,
          enabled: true,
        },
        { id: newId('hook') },
      );
      return c.json({ id: created.id, event, targetUrl, ...(programId ? { programId } : {}) }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/hooks/{id}',
      tags,
      security: secured,
      middleware: [requireScope('write')],
      summary: 'Unsubscribe a REST hook',
      request: { params: idParam('Hook') },
      responses: { 204: { description: 'Unsubscribed' }, ...errorResponses(404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const principal = c.get('principal');
      const row = await svc.getRow(principal, id);
      if (row.kind !== 'zapier') throw new ApiError('not_found', `Hook ${id} not found`);
      await svc.remove(principal, id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/hooks/samples/{event}',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'Recent events of a type, newest first (Zapier perform list)',
      request: { params: z.object({ event: z.enum(EVENT_TYPES) }), query: z.object({ programId: programIdField }) },
      responses: {
        200: ok(z.array(z.object({ id: z.string(), type: z.string(), timestamp: z.string(), data: z.unknown() })), 'Envelopes'),
        ...errorResponses(403, 404),
      },
    }),
    async (c) => {
      const { event } = c.req.valid('param');
      const { programId } = c.req.valid('query');
      const principal = c.get('principal');
      const programIds = programId ? await oneProgram(principal, programId) : principal.programIds;
      const rows = await deps.sql<{ id: string; type: string; created_at: Date | string; payload: unknown }[]>`
      select id, type, created_at, payload from events
      where type = ${event} and (${programIds.length === 0} or program_id = any(${programIds}))
      order by seq desc limit 3`;
      return c.json(
        rows.map((r) => ({ id: r.id, type: r.type, timestamp: new Date(r.created_at).toISOString(), data: r.payload })),
        200,
      );
    },
  );
}
