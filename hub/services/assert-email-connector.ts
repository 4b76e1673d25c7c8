import { eq } from 'drizzle-orm';
import type { Db } from '../../schema/db.js';
import { connectors } from '../../schema/tables/index.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/hub-env.js';
import { canSeePrograms } from '../http/program-scope.js';

/**
 * A program's share emails go through an `email` connector the caller can see and that serves
 * this program (its programs list is empty or names it); anything else is a 422 on the field.
 */
export async function assertEmailConnector(
  db: Pick<Db, 'select'>,
  principal: Principal,
  programId: string | undefined,
  connectorId: string,
) {
  const [row] = await db.select().from(connectors).where(eq(connectors.id, connectorId));
  const invalid = (message: string) => new ApiError('validation_failed', message, [{ path: 'share.emailConnectorId', message }]);
  if (!row || !canSeePrograms(principal, row.programIds)) throw invalid(`Connector ${connectorId} not found`);
  if (row.kind !== 'email') throw invalid(`Connector ${connectorId} is a ${row.kind} connector; share emails need an email connector`);
  if (programId && row.programIds.length > 0 && !row.programIds.includes(programId)) {
    throw invalid(`Connector ${connectorId} does not serve this program`);
  }
}
