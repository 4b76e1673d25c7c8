import { z } from 'zod';
import { INBOUND_SOURCES } from '../../schema/tables/index.js';

export const inboundRequestSchema = z
  .object({
    id: z.string(),
    source: z.enum(INBOUND_SOURCES),
    connectorId: z.string().nullable().meta({ description: 'The inbound connector (null for Stripe and HubSpot)' }),
    contentType: z.string().nullable(),
    rawBody: z.string().meta({ description: 'The body exactly as received' }),
    status: z.number().meta({ description: 'The HTTP status the sender got' }),
    answer: z.unknown().meta({ description: 'The body the sender got: the result, or the error envelope' }),
    receivedAt: z.string(),
  })
  .meta({ id: 'InboundRequest' });

export type InboundRequestJson = z.infer<typeof inboundRequestSchema>;
