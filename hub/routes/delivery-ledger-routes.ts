import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { idParam, listOf, pageQuery } from '../contracts/common.js';
import { deliveryAttemptSchema, recoverBodySchema, recoveryStartedSchema, recoverySchema } from '../contracts/delivery-ledger-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv, Principal } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import { createDeliveryLedgerService } from '../services/delivery-ledger-service.js';
import type { HubDeps } from '../services/hub-deps.js';
import type { ConnectorRow } from '../../workflows/activities/open-connector.js';

/** A delivery's attempts and a connector's recoveries; connectors are found through `getRow`. */
export function registerDeliveryLedgerRoutes(
  app: OpenAPIHono<HubEnv>,
  deps: HubDeps,
  getRow: (principal: Principal, id: string) => Promise<ConnectorRow>,
) {
  const svc = createDeliveryLedgerService(deps, getRow);
  const tags = ['Connectors'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/deliveries/{id}/attempts',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: "A delivery's attempts, newest first",
      request: { params: idParam('Delivery'), query: z.object(pageQuery) },
      responses: { 200: ok(listOf(deliveryAttemptSchema), 'A page of attempts'), ...errorResponses(404) },
    }),
    async (c) => c.json(await svc.attempts(c.get('principal'), c.req.valid('param').id, c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/connectors/{id}/recover',
      tags,
      security: secured,
      middleware: [requireScope('admin')],
      summary:
        'Re-send every failed and dead delivery since a time (a workflow; the same time asked again while it runs starts nothing new)',
      request: { params: idParam('Connector'), ...jsonBody(recoverBodySchema) },
      responses: { 202: ok(recoveryStartedSchema, 'Started'), ...errorResponses(400, 404, 503) },
    }),
    async (c) => c.json(await svc.recover(c.get('principal'), c.req.valid('param').id, c.req.valid('json').since), 202),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/connectors/{id}/recoveries/{recoveryId}',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: "A recovery's progress",
      request: { params: idParam('Connector').extend({ recoveryId: z.string().min(1).max(64) }) },
      responses: { 200: ok(recoverySchema, 'The recovery'), ...errorResponses(404) },
    }),
    async (c) => {
      const { id, recoveryId } = c.req.valid('param');
      return c.json(await svc.recovery(c.get('principal'), id, recoveryId), 200);
    },
  );
}
