import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { CONNECTORS } from '../../connectors/registry.js';
import { idParam, listOf, pageQuery } from '../contracts/common.js';
import {
  connectorCreateSchema,
  connectorPatchSchema,
  connectorSchema,
  deliverySchema,
  deliveryStatusSchema,
} from '../contracts/connector-contract.js';
import { hasScope, requireScope } from '../http/api-key-auth.js';
import type { HubEnv, Principal } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import { connectorKindJson } from '../services/connector-kind-json.js';
import { createConnectorService } from '../services/connector-service.js';
import type { HubDeps } from '../services/hub-deps.js';
import { registerDeliveryLedgerRoutes } from './delivery-ledger-routes.js';

const defaultMappingSchema = z
  .array(z.object({ events: z.array(z.string()).readonly(), description: z.string(), mapping: z.array(z.unknown()).readonly() }))
  .readonly()
  .nullable()
  .meta({
    description:
      'What a connector of this kind sends without a mapping, per group of event types (other types are not sent); null: the full public JSON',
  });

/**
 * An inbound connector's URL carries its token, and the token lets anyone post conversions:
 * only keys that could have created the connector (admin) see it, not read-only keys.
 */
function visibleTo(principal: Principal) {
  return <T extends { inboundUrl?: string }>(connector: T): T => {
    if (hasScope(principal, 'admin') || connector.inboundUrl === undefined) return connector;
    const { inboundUrl: _credential, ...rest } = connector;
    return rest as T;
  };
}

export function registerConnectorRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const svc = createConnectorService(deps);
  const tags = ['Connectors'];
  const admin = [requireScope('admin')];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/connector-kinds',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'Connector kinds with the JSON Schema of their settings and secrets, and their default mapping',
      responses: {
        200: ok(
          z.object({
            data: z.array(
              z.object({
                kind: z.string(),
                displayName: z.string(),
                settings: z.unknown(),
                secrets: z.unknown(),
                defaultMapping: defaultMappingSchema,
              }),
            ),
          }),
          'Kinds',
        ),
        ...errorResponses(),
      },
    }),
    (c) => c.json({ data: CONNECTORS.map(connectorKindJson) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/connectors',
      tags,
      security: secured,
      middleware: admin,
      summary: 'Create a connector',
      request: jsonBody(connectorCreateSchema),
      responses: { 201: ok(connectorSchema, 'Created (secrets come back as "set")'), ...errorResponses(400, 409, 413) },
    }),
    async (c) => {
      c.set('credentialFields', ['inboundUrl']);
      return c.json(await svc.create(c.get('principal'), c.req.valid('json')), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/connectors',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'List connectors',
      request: { query: z.object({ ...pageQuery, kind: z.string().max(40).optional() }) },
      responses: { 200: ok(listOf(connectorSchema), 'A page of connectors'), ...errorResponses() },
    }),
    async (c) => {
      const page = await svc.list(c.get('principal'), c.req.valid('query'));
      return c.json({ ...page, data: page.data.map(visibleTo(c.get('principal'))) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/connectors/{id}',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'Get a connector',
      request: { params: idParam('Connector') },
      responses: { 200: ok(connectorSchema, 'The connector'), ...errorResponses(404) },
    }),
    async (c) => c.json(visibleTo(c.get('principal'))(svc.json(await svc.getRow(c.get('principal'), c.req.valid('param').id))), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/connectors/{id}',
      tags,
      security: secured,
      middleware: admin,
      summary: 'Update a connector',
      request: { params: idParam('Connector'), ...jsonBody(connectorPatchSchema) },
      responses: { 200: ok(connectorSchema, 'Updated'), ...errorResponses(400, 404, 413) },
    }),
    async (c) => c.json(await svc.patch(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/connectors/{id}',
      tags,
      security: secured,
      middleware: admin,
      summary: 'Delete a connector',
      request: { params: idParam('Connector') },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(404) },
    }),
    async (c) => {
      await svc.remove(c.get('principal'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/connectors/{id}/test',
      tags,
      security: secured,
      middleware: admin,
      summary: "Run the connector's credentials check now",
      request: { params: idParam('Connector') },
      responses: {
        200: ok(
          z.object({
            ok: z.boolean(),
            error: z.object({ kind: z.string(), message: z.string(), status: z.number().nullable() }).optional(),
          }),
          'Result',
        ),
        ...errorResponses(404),
      },
    }),
    async (c) => c.json(await svc.test(c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/connectors/{id}/preview',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'The field mapping applied to recent real records (nothing is sent)',
      request: { params: idParam('Connector'), query: z.object({ limit: z.coerce.number().int().min(1).max(50).default(5) }) },
      responses: {
        200: ok(z.object({ data: z.array(z.object({ eventId: z.string(), type: z.string(), data: z.unknown() })) }), 'Mapped records'),
        ...errorResponses(404),
      },
    }),
    async (c) => c.json(await svc.preview(c.get('principal'), c.req.valid('param').id, c.req.valid('query').limit), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/connectors/{id}/deliveries',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'The delivery ledger of a connector',
      request: { params: idParam('Connector'), query: z.object({ ...pageQuery, status: deliveryStatusSchema.optional() }) },
      responses: { 200: ok(listOf(deliverySchema), 'A page of deliveries'), ...errorResponses(404) },
    }),
    async (c) => c.json(await svc.deliveries(c.get('principal'), c.req.valid('param').id, c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/deliveries/{id}/retry',
      tags,
      security: secured,
      middleware: admin,
      summary: 'Deliver this record again',
      request: { params: idParam('Delivery') },
      responses: { 202: ok(z.object({ deliveryId: z.string(), queued: z.number() }), 'Queued'), ...errorResponses(404) },
    }),
    async (c) => c.json(await svc.retryDelivery(c.get('principal'), c.req.valid('param').id), 202),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/connectors/{id}/replay',
      tags,
      security: secured,
      middleware: admin,
      summary: 'Deliver every matching event of a time range again',
      request: {
        params: idParam('Connector'),
        ...jsonBody(z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).strict()),
      },
      responses: { 202: ok(z.object({ queued: z.number() }), 'Queued'), ...errorResponses(400, 404) },
    }),
    async (c) => c.json(await svc.replay(c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 202),
  );

  registerDeliveryLedgerRoutes(app, deps, svc.getRow);
}
