import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { customerEventCreateSchema, customerEventResultSchema } from '../contracts/customer-event-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import { createCustomerEventService } from '../services/customer-event-service.js';
import type { HubDeps } from '../services/hub-deps.js';

export function registerCustomerEventRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const customerEvents = createCustomerEventService(deps);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/customers/events',
      tags: ['Customers'],
      security: secured,
      middleware: [requireScope('write')],
      summary: "A customer's activity: enrols them as a member when the program's enrolment.on lists its type",
      request: jsonBody(customerEventCreateSchema),
      responses: {
        202: ok(customerEventResultSchema, 'Accepted; a new member gets their welcome email asynchronously'),
        ...errorResponses(400, 404, 409, 413, 503),
      },
    }),
    async (c) => c.json(await customerEvents.record(c.get('principal'), c.req.valid('json')), 202),
  );
}
