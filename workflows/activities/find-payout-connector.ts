import { and, asc, eq, ne } from 'drizzle-orm';
import { connectorDefinition } from '../../connectors/registry.js';
import type { Db } from '../../schema/db.js';
import { connectors } from '../../schema/tables/index.js';
import type { ConnectorRow } from './open-connector.js';

type Reader = Pick<Db, 'select'>;

export interface PayoutNeed {
  programId: string;
  rewardKind: string;
  currency: string;
}

/** Whether a stored connector pays this kind of reward, in this currency, for this program. */
export function paysFor(row: Pick<ConnectorRow, 'kind' | 'settings' | 'programIds'>, need: PayoutNeed): boolean {
  const definition = connectorDefinition(row.kind);
  if (!definition?.pays) return false;
  if (row.programIds.length > 0 && !row.programIds.includes(need.programId)) return false;
  const settings = definition.settingsSchema.safeParse(row.settings);
  if (!settings.success) return false;
  const pays = definition.pays(settings.data);
  return pays.rewardKinds.includes(need.rewardKind) && (!pays.currencies || pays.currencies.includes(need.currency));
}

/**
 * The connector that pays this need: enabled, not auto-disabled, scoped to the program, paying the
 * kind in the currency. The oldest wins, so the choice is stable while connectors come and go.
 */
export async function findPayoutConnector(db: Reader, need: PayoutNeed): Promise<ConnectorRow | undefined> {
  const rows = await db
    .select()
    .from(connectors)
    .where(and(eq(connectors.enabled, true), ne(connectors.status, 'disabled')))
    .orderBy(asc(connectors.createdAt), asc(connectors.id));
  return rows.find((row) => paysFor(row, need));
}

/**
 * The connector that may take this payout now: the one it already went to (a payout stays with
 * its connector, another provider could pay it twice) if that one is still usable, else any that
 * pays it; undefined when none does.
 */
export async function payoutConnectorFor(
  db: Reader,
  p: { connectorId: string | null; programId: string; rewardKind: string; currency: string },
): Promise<ConnectorRow | undefined> {
  if (!p.connectorId) return findPayoutConnector(db, { programId: p.programId, rewardKind: p.rewardKind, currency: p.currency });
  const [row] = await db.select().from(connectors).where(eq(connectors.id, p.connectorId));
  return row?.enabled && row.status !== 'disabled' ? row : undefined;
}
