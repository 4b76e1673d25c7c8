import { compileMapping, type CompiledMapping } from './apply-mapping.js';
import type { MappingEntry } from './mapping-entry-schema.js';

/**
 * What a destination sends for a connector created without a mapping: for each group of event
 * types, mapping entries in the same format users write. A member event and a referral event are
 * about different people (the advocate, the friend they referred), so each group has its own
 * entries; event types in no group are not sent at all.
 */
export interface DefaultMappingPart {
  /** The event types these entries map, e.g. member.created. */
  events: readonly string[];
  /** What the record type means for the destination, shown with the mapping. */
  description: string;
  mapping: readonly MappingEntry[];
}

export type DefaultMapping = readonly DefaultMappingPart[];

/** The events every destination default sends for the advocate: the member's own record. */
export const MEMBER_EVENTS = ['member.created', 'member.updated'] as const;
/**
 * The events every destination default sends for the referred friend. Activity events carry the
 * business event, not the friend, and deletions carry no contact data: neither is sent.
 */
export const REFERRAL_EVENTS = ['referral.created', 'referral.status_changed'] as const;

/** The part of `defaults` that maps this event type, if any. */
export function defaultMappingPart(defaults: DefaultMapping, eventType: string): DefaultMappingPart | undefined {
  return defaults.find((part) => part.events.includes(eventType));
}

/**
 * A part compiled for many records. Fields the hub has no value for are left out: a contact
 * someone edited in the CRM keeps what they typed instead of being blanked by a record that
 * never had it (a user's own mapping sends its nulls, which is how it clears a field).
 */
export function compileDefaultMappingPart(part: DefaultMappingPart): CompiledMapping {
  const map = compileMapping(part.mapping);
  return (context) =>
    Object.fromEntries(Object.entries(map(context)).filter(([, value]) => value !== null && value !== undefined && value !== ''));
}
