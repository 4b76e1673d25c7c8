import { z } from 'zod';
import { createMappingSchema } from '../../connectors/mapping/mapping-entry-schema.js';
import { INBOUND_SOURCE_ROOTS, MAPPING_SOURCE_ROOTS } from '../../connectors/mapping/mapping-paths.js';
import { EVENT_TYPES } from '../../schema/append-event.js';
import { DELIVERY_STATUSES } from '../../schema/tables/deliveries.js';

const eventTypeSchema = z.enum(EVENT_TYPES);
// Any known root here; the service narrows it per kind (outbound kinds read records, `inbound` the posted body).
const mappingSchema = createMappingSchema([...MAPPING_SOURCE_ROOTS, ...INBOUND_SOURCE_ROOTS]);

export const connectorCreateSchema = z
  .object({
    kind: z.string().min(1).max(40),
    name: z.string().min(1).max(200),
    settings: z.record(z.string(), z.unknown()).default({}),
    secrets: z.record(z.string(), z.unknown()).default({}),
    events: z.array(eventTypeSchema).max(EVENT_TYPES.length).default([]).meta({ description: 'Event types to send; empty means all' }),
    programIds: z
      .array(z.string().min(1).max(64))
      .max(100)
      .default([])
      .meta({ description: 'Programs in scope; empty means every program' }),
    enabled: z.boolean().default(true),
    mapping: mappingSchema.optional().meta({
      description:
        "Field mapping; without it the kind's default mapping (GET /api/v1/connector-kinds), or for kinds without one the object's full public JSON, is sent",
    }),
  })
  .strict()
  .meta({ id: 'ConnectorCreate' });

export const connectorPatchSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    settings: z.record(z.string(), z.unknown()).optional().meta({ description: 'Replaces the settings' }),
    secrets: z.record(z.string(), z.unknown()).optional().meta({ description: 'Merged into the stored secrets; write-only' }),
    events: z.array(eventTypeSchema).max(EVENT_TYPES.length).optional(),
    programIds: z.array(z.string().min(1).max(64)).max(100).optional(),
    enabled: z.boolean().optional(),
    mapping: mappingSchema.nullable().optional(),
  })
  .strict()
  .meta({ id: 'ConnectorPatch' });

export const connectorSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    name: z.string(),
    settings: z.record(z.string(), z.unknown()),
    secrets: z.record(z.string(), z.literal('set')),
    events: z.array(z.string()),
    programIds: z.array(z.string()),
    enabled: z.boolean(),
    status: z.enum(['active', 'failing', 'disabled']),
    statusReason: z.string().nullable(),
    mapping: z.array(z.unknown()).nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    inboundUrl: z
      .string()
      .optional()
      .meta({ description: 'Inbound connectors: where to POST (the token in it is the credential; shown to admin keys only)' }),
  })
  .meta({ id: 'Connector' });

export const deliveryStatusSchema = z.enum(DELIVERY_STATUSES).meta({
  description:
    '`retrying`: the last attempt failed and another is due at `nextAttemptAt`; `failed`: the connector was disabled before it got through; `dead`: the provider refused the record',
});

export const deliverySchema = z
  .object({
    id: z.string(),
    connectorId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    recordKey: z.string(),
    status: deliveryStatusSchema,
    attempts: z.number().meta({ description: 'Attempts so far; each is listed by GET /api/v1/deliveries/{id}/attempts' }),
    lastError: z.string().nullable(),
    responseCode: z.number().nullable(),
    lastAttemptAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable().meta({ description: 'While retrying: when the next attempt is due' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Delivery' });

export type ConnectorCreate = z.infer<typeof connectorCreateSchema>;
export type ConnectorPatch = z.infer<typeof connectorPatchSchema>;
