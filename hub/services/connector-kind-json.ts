import { z } from 'zod';
import type { ConnectorDefinition } from '../../connectors/connector.js';

/**
 * A kind as GET /api/v1/connector-kinds publishes it: the JSON Schema of its settings and
 * secrets (secrets marked write-only), which also drives the console's generated forms.
 */
export function connectorKindJson(kind: ConnectorDefinition) {
  const schema = (s: z.ZodType) => {
    try {
      return z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' });
    } catch {
      return {};
    }
  };
  return {
    kind: kind.kind,
    displayName: kind.displayName,
    settings: schema(kind.settingsSchema),
    secrets: { ...schema(kind.secretsSchema), writeOnly: true },
    // What a connector created without a mapping sends (null: the object's full public JSON).
    defaultMapping: kind.defaultMapping?.() ?? null,
  };
}
