import { eq, sql } from 'drizzle-orm';
import { appendEvent } from '../../schema/append-event.js';
import type { Db } from '../../schema/db.js';
import { connectors } from '../../schema/tables/index.js';
import type { ConnectorRow } from './open-connector.js';

/**
 * Marks a connector `failing` with the reason ops will see, counting the failure; the first time
 * it starts failing emits `connector.failing` (so alerts fire once, not on every attempt).
 */
export async function markConnectorFailing(db: Db, row: Pick<ConnectorRow, 'id' | 'kind' | 'name' | 'status'>, message: string) {
  await db.transaction(async (tx) => {
    await tx
      .update(connectors)
      .set({
        status: 'failing',
        statusReason: message,
        updatedAt: new Date(),
        consecutiveFailures: sql`${connectors.consecutiveFailures} + 1`,
      })
      .where(eq(connectors.id, row.id));
    if (row.status !== 'failing') {
      await appendEvent(tx, {
        type: 'connector.failing',
        programId: null,
        subjectId: row.id,
        payload: { id: row.id, kind: row.kind, name: row.name, reason: message },
      });
    }
  });
}
