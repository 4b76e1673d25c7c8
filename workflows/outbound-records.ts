import { inArray } from 'drizzle-orm';
import type { OutboundRecord } from '../connectors/connector.js';
import { compileMapping } from '../connectors/mapping/apply-mapping.js';
import type { MappingEntry } from '../connectors/mapping/mapping-entry-schema.js';
import type { Db } from '../schema/db.js';
import { memberJson, referralJson } from '../schema/public-json.js';
import type { LoggedEvent } from '../schema/read-events.js';
import { members, referrals } from '../schema/tables/index.js';

/**
 * Turns event-log rows into the records a destination receives. The mapping context holds the
 * event's object plus its relatives (a referral's member, a reward's referral and member), so a
 * mapping can say `member.referralUrl` on a referral event.
 */
export async function buildOutboundRecords(db: Db, publicUrl: string, events: LoggedEvent[], mapping: MappingEntry[] | null): Promise<OutboundRecord[]> {
  const memberIds = new Set<string>();
  const referralIds = new Set<string>();
  for (const e of events) {
    const p = e.payload;
    if (typeof p.memberId === 'string') memberIds.add(p.memberId);
    if (e.type.startsWith('reward.') && typeof p.referralId === 'string') referralIds.add(p.referralId);
  }
  const memberRows = memberIds.size > 0 ? await db.select().from(members).where(inArray(members.id, [...memberIds])) : [];
  const referralRows = referralIds.size > 0 ? await db.select().from(referrals).where(inArray(referrals.id, [...referralIds])) : [];
  const memberById = new Map(memberRows.map((m) => [m.id, memberJson(m, publicUrl)]));
  const referralById = new Map(referralRows.map((r) => [r.id, referralJson(r)]));
  const map = mapping ? compileMapping(mapping) : null;

  return events.map((e) => {
    const p = e.payload;
    const event = { id: e.id, type: e.type, timestamp: e.createdAt.toISOString() };
    const root = e.type.split('.')[0]!;
    const context: Record<string, unknown> = { event, [root]: p };
    if (typeof p.memberId === 'string' && root !== 'member') context.member = memberById.get(p.memberId);
    if (root === 'reward' && typeof p.referralId === 'string') context.referral = referralById.get(p.referralId);
    return { key: e.id, event, data: map ? map(context) : p };
  });
}
