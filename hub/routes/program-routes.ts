import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { idParam, listOf, pageQuery } from '../contracts/common.js';
import { programCreateSchema, programPatchSchema, programSchema } from '../contracts/program-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import { createProgramService } from '../services/program-service.js';
import type { HubDeps } from '../services/hub-deps.js';

export function registerProgramRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const programs = createProgramService(deps.db);
  const tags = ['Programs'];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/programs',
      tags,
      security: secured,
      middleware: [requireScope('admin')],
      summary: 'Create a program with its reward rules',
      request: jsonBody(programCreateSchema),
      responses: { 201: ok(programSchema, 'Created'), ...errorResponses(400, 409, 413) },
    }),
    async (c) => c.json(await programs.create(c.get('principal'), c.req.valid('json')), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/programs',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'List programs',
      request: { query: z.object(pageQuery) },
      responses: { 200: ok(listOf(programSchema), 'A page of programs'), ...errorResponses() },
    }),
    async (c) => c.json(await programs.list(c.get('principal'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/programs/{id}',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'Get a program',
      request: { params: idParam('Program') },
      responses: { 200: ok(programSchema, 'The program'), ...errorResponses(404) },
    }),
    async (c) => c.json(await programs.getVisible(c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/programs/{id}',
      tags,
      security: secured,
      middleware: [requireScope('admin')],
      summary: 'Update a program or replace its rule set',
      request: { params: idParam('Program'), ...jsonBody(programPatchSchema) },
      responses: { 200: ok(programSchema, 'Updated'), ...errorResponses(400, 404, 413) },
    }),
    async (c) =>
      c.json(
        (await programs.patch(c.get('principal'), c.req.valid('param').id, c.req.valid('json'))) as z.infer<typeof programSchema>,
        200,
      ),
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/programs/{id}/publishable-key',
      tags,
      security: secured,
      middleware: [requireScope('admin')],
      summary: 'Rotate the publishable key: a new rh_pk_ key, the old one refused at once',
      request: { params: idParam('Program') },
      responses: {
        200: ok(z.object({ publishableKey: z.string() }).meta({ id: 'PublishableKey' }), 'The new key'),
        ...errorResponses(404),
      },
    }),
    async (c) => c.json(await programs.rotatePublishableKey(c.get('principal'), c.req.valid('param').id), 200),
  );
}
