import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { RESOURCES } from '../../schema/record-queries.js';
import { exportQuerySchema } from '../contracts/export-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, secured } from '../http/openapi-parts.js';
import { sendStream } from '../http/send-stream.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createExportService } from '../services/export-service.js';

/** Manual export of any time frame, streamed from a database cursor (flat memory at any size). */
export function registerExportRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const exports = createExportService(deps);
  for (const resource of RESOURCES) {
    app.openapi(
      createRoute({
        method: 'get',
        path: `/api/v1/exports/${resource}.csv`,
        tags: ['Export'],
        security: secured,
        middleware: [requireScope('read')],
        summary: `Export ${resource} as CSV (RFC 4180)`,
        request: { query: exportQuerySchema(resource) },
        responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...errorResponses(400, 503) },
      }),
      async (c) => sendStream(c, await exports.open(c.get('principal'), resource, c.req.valid('query')), resource, deps) as never,
    );
  }
}
