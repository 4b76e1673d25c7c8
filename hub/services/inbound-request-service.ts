import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { connectors, inboundRequests } from '../../schema/tables/index.js';
import type { InboundRequestJson } from '../contracts/inbound-request-contract.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/hub-env.js';
import { visibleProgramsFilter } from '../http/program-scope.js';
import type { HubDeps } from './hub-deps.js';
import type { InboundSource } from './inbound-request-log.js';
import { decodeCursor, pageOf } from './page-cursor.js';

type InboundRow = typeof inboundRequests.$inferSelect;
const json = (r: InboundRow): InboundRequestJson => ({ ...r, receivedAt: r.receivedAt.toISOString() });

/**
 * Reading the kept inbound requests. A program-limited caller sees the requests of connectors it
 * can see; Stripe and HubSpot requests belong to no connector (they may concern any program), so
 * only unlimited callers see those.
 */
export function createInboundRequestService(deps: HubDeps) {
  const { db } = deps;

  function visibleRequests(principal: Principal) {
    const filter = visibleProgramsFilter(principal, connectors.programIds);
    if (!filter) return undefined;
    return inArray(inboundRequests.connectorId, db.select({ id: connectors.id }).from(connectors).where(filter));
  }

  return {
    /** Newest first. */
    async list(principal: Principal, q: { limit: number; cursor?: string; source?: InboundSource; connectorId?: string }) {
      const after = decodeCursor(q.cursor, 1);
      const rows = await db
        .select()
        .from(inboundRequests)
        .where(
          and(
            visibleRequests(principal),
            q.source ? eq(inboundRequests.source, q.source) : undefined,
            q.connectorId ? eq(inboundRequests.connectorId, q.connectorId) : undefined,
            after ? lt(inboundRequests.id, after[0] as string) : undefined,
          ),
        )
        .orderBy(desc(inboundRequests.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (r) => [r.id]);
      return { data: page.data.map(json), nextCursor: page.nextCursor };
    },

    /** One request, or 404 when it is missing or not the caller's to see. */
    async get(principal: Principal, id: string) {
      const [row] = await db
        .select()
        .from(inboundRequests)
        .where(and(eq(inboundRequests.id, id), visibleRequests(principal)));
      if (!row) throw new ApiError('not_found', `Inbound request ${id} not found`);
      return json(row);
    },
  };
}
