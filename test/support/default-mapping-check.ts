import { expect } from 'vitest';
import { compileDefaultMappingPart, defaultMappingPart, type DefaultMapping } from '../../connectors/mapping/default-mapping.js';
import { mappingSchema } from '../../connectors/mapping/mapping-entry-schema.js';
import { UNSENT_EVENT_TYPES } from './default-mapping-contexts.js';

/**
 * What every kind's default mapping must be: entries users could have written themselves (they
 * pass the API's mapping validation), members and referrals mapped, nothing else sent.
 */
export function expectWellFormedDefault(defaults: DefaultMapping): void {
  for (const part of defaults) expect(mappingSchema.safeParse(part.mapping).error).toBeUndefined();
  for (const type of ['member.created', 'member.updated', 'referral.created', 'referral.status_changed'])
    expect(defaultMappingPart(defaults, type), type).toBeDefined();
  for (const type of UNSENT_EVENT_TYPES) expect(defaultMappingPart(defaults, type), type).toBeUndefined();
}

/** The record an event of `type` becomes under `defaults`. */
export function mapByDefault(defaults: DefaultMapping, type: string, context: object): Record<string, unknown> {
  const part = defaultMappingPart(defaults, type);
  if (!part) throw new Error(`${type} is not mapped`);
  return compileDefaultMappingPart(part)(context);
}
