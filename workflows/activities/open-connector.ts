import type { InferSelectModel } from 'drizzle-orm';
import { z } from 'zod';
import type { ConnectorDefinition, ConnectorInstance, ConnectorRuntime } from '../../connectors/connector.js';
import type { DefaultMapping } from '../../connectors/mapping/default-mapping.js';
import { connectorDefinition } from '../../connectors/registry.js';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import type { connectors } from '../../schema/tables/index.js';

export type ConnectorRow = InferSelectModel<typeof connectors>;

/** Secrets are sealed with the connector id as associated data: a sealed value moved to another row does not open. */
export function openSecrets(box: SecretBox, row: Pick<ConnectorRow, 'id' | 'secretsSealed'>): Record<string, unknown> {
  return row.secretsSealed ? (box.openJson(row.secretsSealed, row.id) as Record<string, unknown>) : {};
}

/**
 * A live connector instance for a stored row (settings and secrets parsed by the kind's own
 * schemas), with its kind's default mapping for those settings when the kind has one.
 */
export function openConnector(
  row: ConnectorRow,
  box: SecretBox,
  runtime: ConnectorRuntime,
): { definition: ConnectorDefinition; instance: ConnectorInstance; defaultMapping?: DefaultMapping } {
  const definition = connectorDefinition(row.kind);
  if (!definition) throw new Error(`unknown connector kind ${row.kind}`);
  const settings = ignoringUnknownKeys(definition.settingsSchema).parse(row.settings);
  const secrets = ignoringUnknownKeys(definition.secretsSchema).parse(openSecrets(box, row));
  return { definition, instance: definition.create({ settings, secrets }, runtime), defaultMapping: definition.defaultMapping?.(settings) };
}

/** The default mapping a stored connector without a mapping of its own would use, if its kind has one. */
export function defaultMappingOf(row: Pick<ConnectorRow, 'kind' | 'settings' | 'mapping'>): DefaultMapping | undefined {
  if (row.mapping) return undefined;
  const definition = connectorDefinition(row.kind);
  if (!definition) return undefined;
  const settings = ignoringUnknownKeys(definition.settingsSchema).safeParse(row.settings);
  return settings.success ? definition.defaultMapping?.(settings.data) : undefined;
}

/**
 * The API refuses unknown settings and secrets keys, but rows saved before it did may hold some:
 * reading them drops those keys instead of failing every sync of a connector that used to work.
 */
/** A stored object without the keys its schema no longer knows (what ignoringUnknownKeys reads). */
export function knownKeysOnly(schema: z.ZodType, value: Record<string, unknown>): Record<string, unknown> {
  if (!(schema instanceof z.ZodObject)) return value;
  const known = new Set(Object.keys(schema.shape));
  return Object.fromEntries(Object.entries(value).filter(([key]) => known.has(key)));
}

function ignoringUnknownKeys<S extends z.ZodType>(schema: S): S {
  // strip() keeps the object's shape and refinements; only unknown keys are treated differently.
  return schema instanceof z.ZodObject ? (schema.strip() as unknown as S) : schema;
}
