import type { Config } from '../../lib/config.js';
import type { Logger } from '../../lib/logger.js';
import type { Db } from '../../schema/db.js';
import { createUserService } from './user-service.js';

/**
 * At start: the bootstrap admin from the environment when one is configured; otherwise, while
 * nobody can sign in yet, a one-time link to create the first admin, printed (not logged, so it
 * does not end up in a log store) once per start.
 */
export async function prepareConsoleUsers(db: Db, config: Config, publicUrl: string, logger: Logger): Promise<void> {
  const users = createUserService(db);
  if (config.HUB_BOOTSTRAP_ADMIN_EMAIL && config.HUB_BOOTSTRAP_ADMIN_PASSWORD) {
    const admin = await users.ensureBootstrapAdmin(config.HUB_BOOTSTRAP_ADMIN_EMAIL, config.HUB_BOOTSTRAP_ADMIN_PASSWORD);
    logger.info({ userId: admin.id }, 'bootstrap console admin ready');
    return;
  }
  if ((await users.count()) > 0) return;
  const token = await users.createSetupToken(null);
  process.stdout.write(
    `\nFirst start: open this link within 24 hours to create the console's first admin:\n\n  ${publicUrl}/setup/${token}\n\n`,
  );
}
