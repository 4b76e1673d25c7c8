import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { REWARD_STATUSES } from '../../schema/tables/rewards.js';
import { idParam, listOf, pageQuery } from '../contracts/common.js';
import { rewardSchema } from '../contracts/reward-contract.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, ok, secured } from '../http/openapi-parts.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createRewardService } from '../services/reward-service.js';

export function registerRewardRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  const rewards = createRewardService(deps.db);
  const tags = ['Rewards'];

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/rewards',
      tags,
      security: secured,
      middleware: [requireScope('read')],
      summary: 'List rewards',
      request: {
        query: z.object({
          ...pageQuery,
          programId: z.string().max(64).optional(),
          referralId: z.string().max(64).optional(),
          memberId: z.string().max(64).optional(),
          status: z.enum(REWARD_STATUSES).optional(),
        }),
      },
      responses: { 200: ok(listOf(rewardSchema), 'A page of rewards'), ...errorResponses() },
    }),
    async (c) => c.json(await rewards.list(c.get('principal'), c.req.valid('query')), 200),
  );

  for (const action of ['approve', 'deny'] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/api/v1/rewards/{id}/${action}`,
        tags,
        security: secured,
        middleware: [requireScope('write')],
        summary: action === 'approve' ? 'Approve a reward waiting for manual approval' : 'Deny a pending or held reward',
        request: { params: idParam('Reward') },
        responses: { 200: ok(rewardSchema, 'The reward after the decision'), ...errorResponses(404, 409) },
      }),
      async (c) => {
        const { id } = c.req.valid('param');
        const reward = action === 'approve' ? await rewards.approve(c.get('principal'), id) : await rewards.deny(c.get('principal'), id);
        return c.json(reward, 200);
      },
    );
  }
}
