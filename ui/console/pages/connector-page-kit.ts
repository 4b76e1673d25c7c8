import type { Context } from 'hono';
import { CONNECTORS, connectorDefinition } from '../../../connectors/registry.js';
import { connectorKindJson } from '../../../hub/services/connector-kind-json.js';
import { createConnectorService } from '../../../hub/services/connector-service.js';
import { createDeliveryLedgerService } from '../../../hub/services/delivery-ledger-service.js';
import { createProgramService } from '../../../hub/services/program-service.js';
import type { ConsoleDeps } from '../console-deps.js';
import { roleAtLeast, type ConsoleEnv } from '../console-env.js';
import { inlineRefs, type JsonSchema } from '../json-schema.js';
import type { KindSchemas } from './connector-form.js';

/**
 * Editors run everything but users and API keys, connectors included (the console's role model);
 * viewers look. Secrets stay write-only for everyone.
 */
export const canManageConnectors = (c: Context<ConsoleEnv>) => roleAtLeast(c.get('user').role, 'editor');

/** A kind's form schemas, exactly as GET /api/v1/connector-kinds publishes them. */
export function kindSchemas(kind: string): KindSchemas | undefined {
  const definition = connectorDefinition(kind);
  if (!definition) return undefined;
  const json = connectorKindJson(definition);
  return {
    kind: json.kind,
    displayName: json.displayName,
    settings: inlineRefs(json.settings as JsonSchema),
    secrets: inlineRefs(json.secrets as JsonSchema),
    inbound: definition.inbound === true,
  };
}

export const kindName = (kind: string) => CONNECTORS.find((k) => k.kind === kind)?.displayName ?? kind;

/** The services every connector page uses, made once per console. */
export function connectorPageServices(deps: ConsoleDeps) {
  const connectors = createConnectorService(deps);
  const programService = createProgramService(deps.db);
  return {
    connectors,
    ledger: createDeliveryLedgerService(deps, connectors.getRow),
    /** The programs the user may give a connector (a connector names at most 100). */
    async programs(c: Context<ConsoleEnv>) {
      const page = await programService.list(c.get('principal'), { limit: 100 });
      return page.data.map((p) => ({ id: p.id, name: p.name }));
    },
  };
}

export type ConnectorPageServices = ReturnType<typeof connectorPageServices>;
