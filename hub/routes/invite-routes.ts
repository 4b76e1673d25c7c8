import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { idParam } from '../contracts/common.js';
import { inviteCreateSchema, inviteResultSchema } from '../contracts/invite-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createInviteService } from '../services/invite-service.js';

export function registerInviteRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const invites = createInviteService(deps);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/members/{id}/invites',
      tags: ['Invites'],
      security: secured,
      middleware: [requireScope('write')],
      summary: "Email friends an invitation with the member's link (sent asynchronously; skipped addresses say why)",
      request: { params: idParam('Member'), ...jsonBody(inviteCreateSchema) },
      responses: {
        202: ok(inviteResultSchema, 'Accepted: `invited` are queued for sending, `skipped` will not be sent'),
        ...errorResponses(400, 404, 409, 413),
      },
    }),
    async (c) => c.json(await invites.invite(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 202),
  );
}
