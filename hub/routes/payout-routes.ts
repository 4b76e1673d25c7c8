import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { PAYOUT_STATUSES } from '../../schema/tables/payouts.js';
import { idParam, listOf, pageQuery } from '../contracts/common.js';
import { markPaidSchema, payoutSchema } from '../contracts/payout-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, jsonBody, ok, secured } from '../http/openapi-parts.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createPayoutService } from '../services/payout-service.js';

export function registerPayoutRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const payouts = createPayoutService(deps.db);
  const tags = ['Payouts'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/payouts',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'List payouts',
      request: {
        query: z.object({
          ...pageQuery,
          programId: z.string().max(64).optional(),
          memberId: z.string().max(64).optional(),
          connectorId: z.string().max(64).optional(),
          status: z.enum(PAYOUT_STATUSES).optional(),
        }),
      },
      responses: { 200: ok(listOf(payoutSchema), 'A page of payouts, newest first'), ...errorResponses() },
    }),
    async (c) => c.json(await payouts.list(c.get('principal'), c.req.valid('query')), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/payouts/{id}',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'Get a payout',
      request: { params: idParam('Payout') },
      responses: { 200: ok(payoutSchema, 'The payout'), ...errorResponses(404) },
    }),
    async (c) => c.json(await payouts.get(c.get('principal'), c.req.valid('param').id), 200),
  );

  const sends = [
    { action: 'send', summary: 'Send a pending payout (autoPay off, or held above the daily cap)' },
    { action: 'retry', summary: 'Send a failed payout again (same idempotency key: never paid twice)' },
  ] as const;
  for (const { action, summary } of sends) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/v1/payouts/{id}/${action}`,
        tags,
        security: secured,
        middleware: [requireScope('write')],
        summary,
        request: { params: idParam('Payout') },
        responses: { 202: ok(payoutSchema, 'The payout, on its way'), ...errorResponses(404, 409) },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const principal = c.get('principal');
        return c.json(action === 'send' ? await payouts.send(principal, id) : await payouts.retry(principal, id), 202);
      },
    );
  }

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/payouts/{id}/cancel',
      tags,
      security: secured,
      middleware: [requireScope('write')],
      summary: 'Cancel a payout nothing was sent for; its rewards go back to approved',
      request: { params: idParam('Payout') },
      responses: { 200: ok(payoutSchema, 'The cancelled payout'), ...errorResponses(404, 409) },
    }),
    async (c) => c.json(await payouts.cancel(c.get('principal'), c.req.valid('param').id), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/payouts/{id}/mark-paid',
      tags,
      security: secured,
      middleware: [requireScope('write')],
      summary: 'Record that a payout paid by hand (manual connector) was paid',
      request: { params: idParam('Payout'), ...jsonBody(markPaidSchema) },
      responses: { 200: ok(payoutSchema, 'The paid payout'), ...errorResponses(404, 409, 422) },
    }),
    async (c) => c.json(await payouts.markPaid(c.get('principal'), c.req.valid('param').id, c.req.valid('json').reference), 200),
  );
}
