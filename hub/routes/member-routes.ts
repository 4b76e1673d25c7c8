import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { idParam, listOf, pageQuery } from '../contracts/common.js';
import { memberCreateSchema, memberPatchSchema, memberSchema } from '../contracts/member-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createMemberService } from '../services/member-service.js';

export function registerMemberRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const members = createMemberService(deps.db, deps.publicUrl);
  const tags = ['Members'];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/members',
      tags,
      security: secured,
      middleware: [requireScope('write')],
      summary: 'Enrol a member (idempotent per program and email)',
      request: jsonBody(memberCreateSchema),
      responses: {
        201: ok(memberSchema, 'Created'),
        200: ok(memberSchema, 'The program already had this email'),
        ...errorResponses(400, 404, 409, 413),
      },
    }),
    async (c) => {
      const { created, member } = await members.create(c.get('principal'), c.req.valid('json'));
      return created ? c.json(member, 201) : c.json(member, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/members',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'List members',
      request: {
        query: z.object({
          ...pageQuery,
          programId: z.string().max(64).optional(),
          email: z.string().max(254).optional(),
          externalId: z.string().max(200).optional(),
        }),
      },
      responses: { 200: ok(listOf(memberSchema), 'A page of members'), ...errorResponses() },
    }),
    async (c) => c.json(await members.list(c.get('principal'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/members/{id}',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'Get a member',
      request: { params: idParam('Member') },
      responses: { 200: ok(memberSchema, 'The member'), ...errorResponses(404) },
    }),
    async (c) => c.json(members.json(await members.getRow(c.get('principal'), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/members/{id}',
      tags,
      security: secured,
      middleware: [requireScope('write')],
      summary: 'Update a member',
      request: { params: idParam('Member'), ...jsonBody(memberPatchSchema) },
      responses: { 200: ok(memberSchema, 'Updated'), ...errorResponses(400, 404, 413) },
    }),
    async (c) => c.json(await members.patch(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/members/{id}',
      tags,
      security: secured,
      middleware: [requireScope('write')],
      summary: "Delete a member's personal data and retire their code",
      request: { params: idParam('Member') },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(404) },
    }),
    async (c) => {
      await members.remove(c.get('principal'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
}
