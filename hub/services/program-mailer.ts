import { and, eq } from 'drizzle-orm';
import type { Mailer } from '../../connectors/connector.js';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import type { Db } from '../../schema/db.js';
import { connectors } from '../../schema/tables/index.js';
import { createConnectorRuntime } from '../../workflows/activities/connector-runtime.js';
import { openConnector } from '../../workflows/activities/open-connector.js';

/**
 * The mailer of a program's share email connector, or undefined when there is none to use: not
 * set, deleted, turned off, disabled after failures, not an email connector, or no longer serving
 * the program.
 */
export async function openProgramMailer(
  deps: { db: Db; secretBox: SecretBox; allowPrivateTargets: boolean },
  programId: string,
  connectorId: string | null,
): Promise<Mailer | undefined> {
  if (!connectorId) return undefined;
  const [row] = await deps.db
    .select()
    .from(connectors)
    .where(and(eq(connectors.id, connectorId), eq(connectors.kind, 'email'), eq(connectors.enabled, true)));
  if (!row || row.status === 'disabled') return undefined;
  if (row.programIds.length > 0 && !row.programIds.includes(programId)) return undefined;
  return openConnector(row, deps.secretBox, createConnectorRuntime({ allowPrivateTargets: deps.allowPrivateTargets })).instance.mailer;
}
