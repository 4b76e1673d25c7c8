import { z } from 'zod';
import { INBOUND_KIND } from '../../connectors/inbound/inbound-kind.js';
import { createMappingSchema } from '../../connectors/mapping/mapping-entry-schema.js';
import { INBOUND_SOURCE_ROOTS } from '../../connectors/mapping/mapping-paths.js';
import { memberCreateSchema } from './member-contract.js';
import { businessEventCreateSchema, conversionCreateSchema } from './referral-contract.js';

/**
 * The `inbound` connector kind (DESIGN §12): a URL other systems (Zapier "Webhooks by Zapier",
 * form tools, backends) post JSON to; its mapping turns the body into a member, a conversion or
 * a business event.
 */
export { INBOUND_KIND };

export const INBOUND_ACTIONS = ['member', 'conversion', 'event'] as const;
export type InboundAction = (typeof INBOUND_ACTIONS)[number];

export const inboundSettingsSchema = z.object({
  action: z.enum(INBOUND_ACTIONS).meta({ description: 'What a posted body creates' }),
  programId: z.string().min(1).max(64).meta({ description: 'The program the created records belong to' }),
}).strict().meta({ id: 'InboundConnectorSettings' });

export const inboundSecretsSchema = z.object({
  signingSecret: z.string().min(16, 'must be at least 16 characters').max(512).optional()
    .meta({ description: 'When set, requests must carry Standard Webhooks headers: webhook-id, webhook-timestamp (Unix seconds, within 5 minutes) and webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>"> (a whsec_ secret is base64-decoded for the key, as the standardwebhooks libraries do)' }),
}).strict().meta({ id: 'InboundConnectorSecrets' });

/** Mappings of inbound connectors read the posted JSON under `body.…`. */
export const inboundMappingSchema = createMappingSchema(INBOUND_SOURCE_ROOTS);

export type InboundSettings = z.infer<typeof inboundSettingsSchema>;

/** Where a mapped record goes for each action: the API's own request schema. */
export const INBOUND_INPUT_SCHEMAS = {
  member: memberCreateSchema,
  conversion: conversionCreateSchema,
  event: businessEventCreateSchema,
} as const;

/** Fields that group several targets (`customFields.plan`, `referral.email`); their keys are free or listed. */
const GROUPS: Record<InboundAction, Record<string, readonly string[] | 'any'>> = {
  member: { customFields: 'any' },
  conversion: { customFields: 'any' },
  event: { referral: Object.keys(businessEventCreateSchema.shape.referral.shape) },
};

// Keys that would reach an object's prototype when the grouped input is assembled.
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Mapping targets each action accepts: the API fields, less programId (the connector's setting). */
export function inboundTargetAllowed(action: InboundAction, target: string): boolean {
  const dot = target.indexOf('.');
  if (dot < 0) {
    return target !== 'programId' && !(target in GROUPS[action]) && Object.hasOwn(INBOUND_INPUT_SCHEMAS[action].shape, target);
  }
  const keys = GROUPS[action][target.slice(0, dot)];
  const key = target.slice(dot + 1);
  if (keys === undefined || key.length === 0 || key.includes('.') || FORBIDDEN_KEYS.has(key)) return false;
  return keys === 'any' || keys.includes(key);
}

/** The targets (or alternatives) a mapping needs before a body can ever make a valid input. */
export const INBOUND_REQUIRED_TARGETS: Record<InboundAction, (readonly string[])[]> = {
  member: [['email']],
  conversion: [['email'], ['referralCode', 'memberId', 'visitorId']],
  event: [['type'], ['referral.email', 'referral.id', 'referral.externalId']],
};
