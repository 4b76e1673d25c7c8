import { inArray } from 'drizzle-orm';
import type { OutboundRecord } from '../../connectors/connector.js';
import { compileMapping, type CompiledMapping } from '../../connectors/mapping/apply-mapping.js';
import {
  compileDefaultMappingPart,
  defaultMappingPart,
  type DefaultMapping,
  type DefaultMappingPart,
} from '../../connectors/mapping/default-mapping.js';
import type { MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import type { Db } from '../../schema/db.js';
import { memberJson, referralJson } from '../../schema/public-json.js';
import type { LoggedEvent } from '../../schema/read-events.js';
import { members, referrals } from '../../schema/tables/index.js';

/**
 * Whether a connector sends events of this type at all: with a mapping of its own, or without a
 * kind default (the full public JSON), every type; with its kind's default mapping, only the
 * types that mapping has entries for.
 */
export function sendsEventType(mapping: MappingEntry[] | null, defaults: DefaultMapping | undefined, eventType: string): boolean {
  return mapping !== null || defaults === undefined || defaultMappingPart(defaults, eventType) !== undefined;
}

/**
 * Turns event-log rows into the records a destination receives. The mapping context holds the
 * event's object plus its relatives (a referral's member, a reward's referral and member), so a
 * mapping can say `member.referralUrl` on a referral event. With `defaults` (and no mapping) each
 * event is mapped by its part of the kind's default mapping; callers leave out event types that
 * have none (sendsEventType).
 */
export async function buildOutboundRecords(
  db: Db,
  publicUrl: string,
  events: LoggedEvent[],
  mapping: MappingEntry[] | null,
  defaults?: DefaultMapping,
): Promise<OutboundRecord[]> {
  const memberIds = new Set<string>();
  const referralIds = new Set<string>();
  for (const e of events) {
    const p = e.payload;
    if (typeof p.memberId === 'string') memberIds.add(p.memberId);
    if (e.type.startsWith('reward.') && typeof p.referralId === 'string') referralIds.add(p.referralId);
  }
  const memberRows =
    memberIds.size > 0
      ? await db
          .select()
          .from(members)
          .where(inArray(members.id, [...memberIds]))
      : [];
  const referralRows =
    referralIds.size > 0
      ? await db
          .select()
          .from(referrals)
          .where(inArray(referrals.id, [...referralIds]))
      : [];
  const memberById = new Map(memberRows.map((m) => [m.id, memberJson(m, publicUrl)]));
  const referralById = new Map(referralRows.map((r) => [r.id, referralJson(r)]));
  const map = mapping ? compileMapping(mapping) : null;
  const compiledParts = new Map<DefaultMappingPart, CompiledMapping>();
  const mapByDefault = (type: string, context: Record<string, unknown>, payload: Record<string, unknown>) => {
    if (!defaults) return payload;
    const part = defaultMappingPart(defaults, type);
    if (!part) throw new Error(`${type} events are not sent by the default mapping; leave them out (sendsEventType)`);
    let compiled = compiledParts.get(part);
    if (!compiled) compiledParts.set(part, (compiled = compileDefaultMappingPart(part)));
    return compiled(context);
  };

  return events.map((e) => {
    const p = e.payload;
    const event = { id: e.id, type: e.type, timestamp: e.createdAt.toISOString() };
    const root = e.type.split('.')[0]!;
    const context: Record<string, unknown> = { event, [root]: p };
    if (typeof p.memberId === 'string' && root !== 'member') context.member = memberById.get(p.memberId);
    if (root === 'reward' && typeof p.referralId === 'string') context.referral = referralById.get(p.referralId);
    return { key: e.id, event, data: map ? map(context) : mapByDefault(e.type, context, p) };
  });
}
