import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import type { MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import type { Db } from '../../schema/db.js';
import { programs } from '../../schema/tables/index.js';
import {
  INBOUND_REQUIRED_TARGETS,
  inboundMappingSchema,
  inboundSecretsSchema,
  inboundSettingsSchema,
  inboundTargetAllowed,
  type InboundSettings,
} from '../contracts/inbound-connector-contract.js';
import { ApiError, issuesToDetails } from '../http/api-error.js';

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, path: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const details = issuesToDetails(parsed.error.issues).map((d) => ({ ...d, path: d.path ? `${path}.${d.path}` : path }));
    throw new ApiError('validation_failed', `Invalid ${path}`, details);
  }
  return parsed.data;
}

/**
 * Checks an inbound connector's configuration when it is saved, so a mistake shows up in the
 * API answer rather than as a 422 to every caller later: settings, secrets, `body.…` paths,
 * targets the action knows, and the targets it cannot do without.
 */
export async function validateInboundConnector(
  db: Db,
  config: { settings: unknown; secrets: unknown; mapping: unknown },
): Promise<{ settings: InboundSettings; mapping: MappingEntry[] }> {
  const settings = parseOrThrow(inboundSettingsSchema, config.settings, 'settings');
  parseOrThrow(inboundSecretsSchema, config.secrets, 'secrets');
  if (config.mapping === undefined || config.mapping === null) {
    throw new ApiError('validation_failed', 'An inbound connector needs a mapping from the posted body', [
      { path: 'mapping', message: 'required' },
    ]);
  }
  const mapping = parseOrThrow(inboundMappingSchema, config.mapping, 'mapping');

  const problems: { path: string; message: string }[] = [];
  mapping.forEach((entry, index) => {
    if (!inboundTargetAllowed(settings.action, entry.target)) {
      problems.push({ path: `mapping.${index}.target`, message: `"${entry.target}" is not a field of a ${settings.action}` });
    }
  });
  const targets = new Set(mapping.map((e) => e.target));
  for (const alternatives of INBOUND_REQUIRED_TARGETS[settings.action]) {
    if (!alternatives.some((t) => targets.has(t))) {
      problems.push({
        path: 'mapping',
        message: `a ${settings.action} needs a mapping entry with target ${alternatives.map((t) => `"${t}"`).join(' or ')}`,
      });
    }
  }
  if (problems.length > 0) throw new ApiError('validation_failed', 'The mapping does not fit the action', problems);

  const [program] = await db.select({ id: programs.id }).from(programs).where(eq(programs.id, settings.programId));
  if (!program) {
    throw new ApiError('validation_failed', `Program ${settings.programId} not found`, [
      { path: 'settings.programId', message: 'no such program' },
    ]);
  }
  return { settings, mapping };
}
