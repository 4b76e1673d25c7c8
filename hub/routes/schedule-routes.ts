import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { idParam, listOf, pageQuery } from '../contracts/common.js';
import { runSchema, scheduleCreateSchema, schedulePatchSchema, scheduleSchema } from '../contracts/schedule-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createScheduleService } from '../services/schedule-service.js';

export function registerScheduleRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const svc = createScheduleService(deps);
  const tags = ['Schedules'];
  const admin = [requireScope('admin')];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/schedules',
      tags,
      security: secured,
      middleware: admin,
      summary: 'Create a scheduled delivery',
      request: jsonBody(scheduleCreateSchema),
      responses: { 201: ok(scheduleSchema, 'Created'), ...errorResponses(400, 409, 413, 503) },
    }),
    async (c) => c.json(await svc.create(c.get('principal'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/schedules',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'List schedules',
      request: { query: z.object(pageQuery) },
      responses: { 200: ok(listOf(scheduleSchema), 'A page of schedules'), ...errorResponses() },
    }),
    async (c) => c.json(await svc.list(c.get('principal'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/schedules/{id}',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'Get a schedule',
      request: { params: idParam('Schedule') },
      responses: { 200: ok(scheduleSchema, 'The schedule'), ...errorResponses(404) },
    }),
    async (c) => c.json(svc.json(await svc.getRow(c.get('principal'), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/schedules/{id}',
      tags,
      security: secured,
      middleware: admin,
      summary: 'Update a schedule (also pause/resume with "paused")',
      request: { params: idParam('Schedule'), ...jsonBody(schedulePatchSchema) },
      responses: { 200: ok(scheduleSchema, 'Updated'), ...errorResponses(400, 404, 413, 503) },
    }),
    async (c) => c.json(await svc.patch(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/schedules/{id}',
      tags,
      security: secured,
      middleware: admin,
      summary: 'Delete a schedule',
      request: { params: idParam('Schedule') },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(404, 503) },
    }),
    async (c) => {
      await svc.remove(c.get('principal'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/schedules/{id}/run',
      tags,
      security: secured,
      middleware: admin,
      summary: 'Run now',
      request: { params: idParam('Schedule') },
      responses: { 202: ok(z.object({ runId: z.string() }), 'Started'), ...errorResponses(404, 503) },
    }),
    async (c) => c.json(await svc.runNow(c.get('principal'), c.req.valid('param').id), 202),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/schedules/{id}/runs',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'Run history',
      request: { params: idParam('Schedule'), query: z.object(pageQuery) },
      responses: { 200: ok(listOf(runSchema), 'Runs, newest first'), ...errorResponses(404) },
    }),
    async (c) => c.json(await svc.runs(c.get('principal'), c.req.valid('param').id, c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/schedules/{id}/runs/{runId}/redeliver',
      tags,
      security: secured,
      middleware: admin,
      summary: "Send exactly that run's records again",
      request: { params: z.object({ id: z.string().max(64), runId: z.string().max(64) }) },
      responses: { 202: ok(z.object({ runId: z.string() }), 'Started'), ...errorResponses(404, 503) },
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json(await svc.redeliver(c.get('principal'), p.id, p.runId), 202);
    },
  );
}
