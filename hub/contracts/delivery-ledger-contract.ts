import { z } from 'zod';
import { ATTEMPT_OUTCOMES, ATTEMPT_TRIGGERS } from '../../schema/tables/delivery-attempts.js';
import { RECOVERY_STATUSES } from '../../schema/tables/connector-recoveries.js';

export const deliveryAttemptSchema = z
  .object({
    id: z.string(),
    deliveryId: z.string(),
    connectorId: z.string(),
    attempt: z.number().meta({ description: '1 for the first attempt of this delivery' }),
    startedAt: z.string(),
    durationMs: z.number(),
    outcome: z
      .enum(ATTEMPT_OUTCOMES)
      .meta({ description: '`failed`: the push failed and is tried again; `dead`: the provider refused this record' }),
    httpStatus: z.number().nullable(),
    responseExcerpt: z.string().nullable().meta({ description: 'The start of the answer (up to 1024 characters), secrets blanked out' }),
    errorKind: z.string().nullable(),
    errorMessage: z.string().nullable(),
    trigger: z.enum(ATTEMPT_TRIGGERS).meta({
      description: '`scheduled`: the sync (first try or automatic retry); `retry`, `replay`, `recover`: asked for through the API',
    }),
    recoveryId: z.string().nullable(),
  })
  .meta({ id: 'DeliveryAttempt' });

export const recoverBodySchema = z
  .object({
    since: z.iso
      .datetime({ offset: true })
      .meta({ description: 'Re-send failed and dead deliveries whose last attempt was at or after this time' }),
  })
  .strict();

export const recoveryStartedSchema = z.object({
  recoveryId: z.string(),
  queued: z.number().meta({ description: 'Deliveries that matched when asked' }),
});

export const recoverySchema = z
  .object({
    id: z.string(),
    connectorId: z.string(),
    since: z.string(),
    status: z.enum(RECOVERY_STATUSES),
    queued: z.number().nullable().meta({ description: 'Deliveries queued again (null until the workflow has queued them)' }),
    remaining: z.number().nullable().meta({ description: 'Still waiting to be sent' }),
    succeeded: z.number(),
    dead: z.number().meta({ description: 'Refused by the provider again' }),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ConnectorRecovery' });
