import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { idParam, instantSchema, listOf, pageQuery } from '../contracts/common.js';
import { businessEventCreateSchema, conversionCreateSchema, referralPatchSchema, referralSchema } from '../contracts/referral-contract.js';
import { REFERRAL_STATUSES } from '../../schema/tables/referrals.js';
import { referralJson } from '../../schema/public-json.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import { createBusinessEventService } from '../services/business-event-service.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createReferralService } from '../services/referral-service.js';

export function registerReferralRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const referrals = createReferralService(deps.db, deps.sql, deps.dispatcher);
  const events = createBusinessEventService(deps.db, deps.dispatcher);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/conversions',
      tags: ['Conversions'],
      security: secured,
      middleware: [requireScope('track')],
      summary: 'Record a conversion (creates the referral)',
      request: jsonBody(conversionCreateSchema),
      responses: {
        201: ok(referralSchema, 'Referral created'),
        200: ok(referralSchema, 'The program already had a referral for this email'),
        ...errorResponses(400, 404, 409, 413),
      },
    }),
    async (c) => {
      const { created, referral } = await referrals.convert(c.get('principal'), c.req.valid('json'));
      return created ? c.json(referral, 201) : c.json(referral, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/referrals',
      tags: ['Referrals'],
      security: secured,
      middleware: [requireScope('read')],
      summary: 'List referrals (with updatedSince: in update order, for sync)',
      request: {
        query: z.object({
          ...pageQuery,
          programId: z.string().max(64).optional(),
          status: z.enum(REFERRAL_STATUSES).optional(),
          memberId: z.string().max(64).optional(),
          email: z.string().max(254).optional(),
          updatedSince: instantSchema.optional(),
        }),
      },
      responses: { 200: ok(listOf(referralSchema), 'A page of referrals'), ...errorResponses() },
    }),
    async (c) => c.json(await referrals.list(c.get('principal'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/referrals/{id}',
      tags: ['Referrals'],
      security: secured,
      middleware: [requireScope('read')],
      summary: 'Get a referral',
      request: { params: idParam('Referral') },
      responses: { 200: ok(referralSchema, 'The referral'), ...errorResponses(404) },
    }),
    async (c) => c.json(referralJson(await referrals.get(c.get('principal'), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/referrals/{id}',
      tags: ['Referrals'],
      security: secured,
      middleware: [requireScope('write')],
      summary: 'Change a referral status (qualified, approved, denied)',
      request: { params: idParam('Referral'), ...jsonBody(referralPatchSchema) },
      responses: { 200: ok(referralSchema, 'Updated'), ...errorResponses(400, 404, 413) },
    }),
    async (c) => c.json(await referrals.changeStatus(c.get('principal'), c.req.valid('param').id, c.req.valid('json').status), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/events',
      tags: ['Business events'],
      security: secured,
      middleware: [requireScope('track')],
      summary: 'Record business activity for a referral (purchase, renewal, refund…)',
      request: jsonBody(businessEventCreateSchema),
      responses: {
        202: ok(z.object({ eventId: z.string() }), 'Accepted; rewards follow asynchronously'),
        ...errorResponses(400, 404, 409, 413),
      },
    }),
    async (c) => c.json({ eventId: (await events.record(c.get('principal'), c.req.valid('json'))).eventId }, 202),
  );
}
