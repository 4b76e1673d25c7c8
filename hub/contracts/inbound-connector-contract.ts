import { z } from 'zod';
import { INBOUND_KIND } from '../../connectors/inbound/inbound-kind.js';
import { inboundSettingsSchema, type InboundAction } from '../../connectors/inbound/inbound-connector.js';
import { createMappingSchema } from '../../connectors/mapping/mapping-entry-schema.js';
import { INBOUND_SOURCE_ROOTS } from '../../connectors/mapping/mapping-paths.js';
import { memberCreateSchema } from './member-contract.js';
import { businessEventCreateSchema, conversionCreateSchema } from './referral-contract.js';

/**
 * What the hub checks of an `inbound` connector beyond its settings: which API fields a mapping
 * may feed for each action (the connector itself lives in connectors/inbound).
 */
export { INBOUND_KIND };
export {
  INBOUND_ACTIONS,
  inboundSecretsSchema,
  inboundSettingsSchema,
  type InboundAction,
} from '../../connectors/inbound/inbound-connector.js';

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
