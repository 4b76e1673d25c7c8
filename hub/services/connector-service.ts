import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { ConnectorError } from '../../connectors/connector.js';
import { mappingSchema, type MappingEntry } from '../../connectors/mapping/mapping-entry-schema.js';
import { connectorDefinition } from '../../connectors/registry.js';
import { newId } from '../../lib/ids.js';
import { loadEventsById } from '../../schema/read-events.js';
import { connectors, deliveries, schedules, type DELIVERY_STATUSES } from '../../schema/tables/index.js';
import { createConnectorRuntime } from '../../workflows/activities/connector-runtime.js';
import {
  defaultMappingOf,
  knownKeysOnly,
  openConnector,
  openSecrets,
  type ConnectorRow,
} from '../../workflows/activities/open-connector.js';
import { buildOutboundRecords } from '../../workflows/activities/outbound-records.js';
import type { ConnectorCreate, ConnectorPatch } from '../contracts/connector-contract.js';
import { ApiError, issuesToDetails } from '../http/api-error.js';
import { assertProgramAccess } from '../http/api-key-auth.js';
import type { Principal } from '../http/hub-env.js';
import { assertCanAssignPrograms, canSeePrograms, visibleProgramsFilter } from '../http/program-scope.js';
import type { HubDeps } from './hub-deps.js';
import { inboundToken, inboundUrl } from './inbound-token.js';
import { validateInboundConnector } from './validate-inbound-connector.js';
import { decodeCursor, pageOf } from './page-cursor.js';

const iso = (d: Date) => d.toISOString();
type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** Secrets never leave: each stored key is reported as "set". */
export function connectorJson(row: ConnectorRow, secretKeys: string[]) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    settings: row.settings,
    secrets: Object.fromEntries(secretKeys.map((k) => [k, 'set' as const])),
    events: row.events,
    programIds: row.programIds,
    enabled: row.enabled,
    status: row.status,
    statusReason: row.statusReason,
    mapping: row.mapping ?? null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function createConnectorService(deps: HubDeps) {
  const { db } = deps;
  const runtime = createConnectorRuntime({ allowPrivateTargets: deps.allowPrivateTargets, timeoutMs: 10_000 });
  // Saving a configuration must not depend on DNS answering right now (sending re-checks).
  const saveGuard = createConnectorRuntime({ allowPrivateTargets: deps.allowPrivateTargets, allowUnresolvable: true });

  function parseWith<T extends z.ZodType>(schema: T, value: unknown, path: string): z.infer<T> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const details = issuesToDetails(parsed.error.issues).map((d) => ({ ...d, path: d.path ? `${path}.${d.path}` : path }));
      throw new ApiError('validation_failed', `Invalid ${path}`, details);
    }
    return parsed.data;
  }

  /** Validates a kind's settings, secrets and mapping with its own schemas and checks every target address. */
  async function validate(kind: string, settings: Record<string, unknown>, secrets: Record<string, unknown>, mapping: unknown) {
    const definition = connectorDefinition(kind);
    if (!definition)
      throw new ApiError('validation_failed', `Unknown connector kind "${kind}"`, [
        { path: 'kind', message: 'see GET /api/v1/connector-kinds' },
      ]);
    // A source has no address to check, and its mapping reads the posted body (`body.…`).
    if (definition.inbound) return validateInboundConnector(db, { settings, secrets, mapping });
    if (mapping) parseWith(mappingSchema, mapping, 'mapping');
    const refused = definition.unsupportedProtocol?.(settings);
    if (refused) throw new ApiError('unsupported_protocol', refused);
    const parsedSettings = parseWith(definition.settingsSchema, settings, 'settings');
    parseWith(definition.secretsSchema, secrets, 'secrets');
    for (const url of definition.targets(parsedSettings)) {
      try {
        await saveGuard.assertTargetAllowed(url);
      } catch (err) {
        const message = err instanceof ConnectorError ? err.message : 'target is not allowed';
        throw new ApiError('validation_failed', message, [{ path: 'settings', message }]);
      }
    }
  }

  /** A connector the caller may see, else 404: another program's ids are not revealed. */
  async function getRow(principal: Principal, id: string): Promise<ConnectorRow> {
    const [row] = await db.select().from(connectors).where(eq(connectors.id, id));
    if (!row || !canSeePrograms(principal, row.programIds)) throw new ApiError('not_found', `Connector ${id} not found`);
    return row;
  }

  /**
   * The programs a connector is saved with. An inbound connector writes into exactly the
   * program of its settings, so that program is its scope whatever the request said.
   */
  function programsFor(principal: Principal, kind: string, settings: Record<string, unknown>, programIds: string[]): string[] {
    if (connectorDefinition(kind)?.inbound && typeof settings.programId === 'string') {
      assertProgramAccess(principal, settings.programId);
      return [settings.programId];
    }
    assertCanAssignPrograms(principal, programIds);
    return programIds;
  }

  const json = (row: ConnectorRow) => ({
    ...connectorJson(row, Object.keys(openSecrets(deps.secretBox, row))),
    // Like a Zapier catch hook, the URL carries its credential; it stays visible so it can be copied again.
    ...(row.inboundToken ? { inboundUrl: inboundUrl(deps.publicUrl, row.inboundToken) } : {}),
  });

  return {
    getRow,
    json,

    async create(principal: Principal, input: ConnectorCreate, opts: { id?: string } = {}) {
      await validate(input.kind, input.settings, input.secrets, input.mapping);
      const programIds = programsFor(principal, input.kind, input.settings, input.programIds);
      const id = opts.id ?? newId('con');
      const hasSecrets = Object.keys(input.secrets).length > 0;
      const row = await db.transaction(async (tx) => {
        const [created] = await tx
          .insert(connectors)
          .values({
            id,
            kind: input.kind,
            name: input.name,
            settings: input.settings,
            secretsSealed: hasSecrets ? deps.secretBox.sealJson(input.secrets, id) : null,
            events: input.events,
            programIds,
            enabled: input.enabled,
            mapping: input.mapping ?? null,
            inboundToken: connectorDefinition(input.kind)?.inbound ? inboundToken() : null,
          })
          .returning();
        // A new connector receives what happens from now on; POST …/replay sends history.
        await tx.execute(
          sql`insert into dispatch_cursors (name, txid, seq) values (${`connector:${id}`}, pg_snapshot_xmin(pg_current_snapshot()), 0)`,
        );
        return created!;
      });
      deps.connectorWaker?.changed(id);
      if (connectorDefinition(row.kind)?.pays) deps.payoutWaker?.connectorsChanged();
      return json(row);
    },

    async list(principal: Principal, q: { limit: number; cursor?: string; kind?: string }) {
      const after = decodeCursor(q.cursor, 1);
      const rows = await db
        .select()
        .from(connectors)
        .where(
          and(
            visibleProgramsFilter(principal, connectors.programIds),
            q.kind ? eq(connectors.kind, q.kind) : undefined,
            after ? lt(connectors.id, after[0] as string) : undefined,
          ),
        )
        .orderBy(desc(connectors.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (r) => [r.id]);
      return { data: page.data.map(json), nextCursor: page.nextCursor };
    },

    async patch(principal: Principal, id: string, input: ConnectorPatch) {
      const row = await getRow(principal, id);
      // A row saved before settings were strict may hold keys the kind no longer knows: an edit
      // that leaves them alone drops them rather than failing on what the caller did not send.
      const definition = connectorDefinition(row.kind);
      const stored = (schema: z.ZodType | undefined, value: Record<string, unknown>) => (schema ? knownKeysOnly(schema, value) : value);
      const settings = input.settings ?? stored(definition?.settingsSchema, row.settings);
      const secrets = { ...stored(definition?.secretsSchema, openSecrets(deps.secretBox, row)), ...(input.secrets ?? {}) };
      await validate(row.kind, settings, secrets, input.mapping === undefined ? row.mapping : input.mapping);
      const programIds = programsFor(principal, row.kind, settings, input.programIds ?? row.programIds);
      const [updated] = await db
        .update(connectors)
        .set({
          name: input.name ?? row.name,
          settings,
          events: input.events ?? row.events,
          programIds,
          mapping: input.mapping === undefined ? row.mapping : input.mapping,
          secretsSealed: Object.keys(secrets).length > 0 ? deps.secretBox.sealJson(secrets, id) : null,
          // Re-enabling (or fixing) a connector gives it a fresh start.
          ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
          ...(input.enabled === true || input.secrets || input.settings
            ? { status: 'active' as const, statusReason: null, consecutiveFailures: 0 }
            : {}),
          updatedAt: new Date(),
        })
        .where(eq(connectors.id, id))
        .returning();
      deps.connectorWaker?.changed(id);
      if (connectorDefinition(row.kind)?.pays) deps.payoutWaker?.connectorsChanged();
      return json(updated!);
    },

    async remove(principal: Principal, id: string) {
      await getRow(principal, id);
      const [usedBy] = await db.select({ id: schedules.id }).from(schedules).where(eq(schedules.connectorId, id)).limit(1);
      if (usedBy) {
        throw new ApiError('validation_failed', `Connector ${id} delivers schedule ${usedBy.id}: delete that schedule first`, [
          { path: 'id', message: 'in use by a schedule' },
        ]);
      }
      await db.delete(connectors).where(eq(connectors.id, id));
      await db.execute(sql`delete from dispatch_cursors where name = ${`connector:${id}`}`);
      deps.connectorWaker?.changed(id);
    },

    /** Runs the kind's cheap credentials probe now. */
    async test(principal: Principal, id: string) {
      const row = await getRow(principal, id);
      try {
        await openConnector(row, deps.secretBox, runtime).instance.check();
        return { ok: true as const };
      } catch (err) {
        const e = err instanceof ConnectorError ? err : new ConnectorError('invalid', err instanceof Error ? err.message : String(err));
        return { ok: false as const, error: { kind: e.kind, message: e.message, status: e.status ?? null } };
      }
    },

    /**
     * The mapping (or the kind's default mapping) applied to the newest matching events; nothing
     * is sent. `draft` previews a mapping being edited instead of the saved one.
     */
    async preview(principal: Principal, id: string, limit: number, draft?: unknown) {
      const found = await getRow(principal, id);
      const row = draft === undefined ? found : { ...found, mapping: draft === null ? null : parseWith(mappingSchema, draft, 'mapping') };
      // Without a mapping of its own the kind's default applies, and it sends only the types it maps.
      const defaults = defaultMappingOf(row);
      const types = defaults
        ? defaults.flatMap((part) => part.events).filter((t) => row.events.length === 0 || row.events.includes(t))
        : row.events;
      if (defaults && types.length === 0) return { data: [] };
      const recent = await deps.sql<{ id: string }[]>`
        select id from events
        where (${types.length === 0} or type = any(${types}))
          and (${row.programIds.length === 0} or program_id = any(${row.programIds}))
        order by seq desc limit ${limit}`;
      if (recent.length === 0) return { data: [] };
      const events = await loadEventsById(
        deps.sql,
        recent.map((r) => r.id),
      );
      const records = await buildOutboundRecords(db, deps.publicUrl, events, row.mapping as MappingEntry[] | null, defaults);
      return { data: records.map((r) => ({ eventId: r.event.id, type: r.event.type, data: r.data })) };
    },

    async deliveries(
      principal: Principal,
      id: string,
      q: { limit: number; cursor?: string; status?: DeliveryStatus; from?: Date; to?: Date },
    ) {
      await getRow(principal, id);
      const after = decodeCursor(q.cursor, 1);
      const rows = await db
        .select()
        .from(deliveries)
        .where(
          and(
            eq(deliveries.connectorId, id),
            q.status ? eq(deliveries.status, q.status) : undefined,
            q.from ? gte(deliveries.createdAt, q.from) : undefined,
            q.to ? lt(deliveries.createdAt, q.to) : undefined,
            after ? lt(deliveries.id, after[0] as string) : undefined,
          ),
        )
        .orderBy(desc(deliveries.id))
        .limit(q.limit + 1);
      const page = pageOf(rows, q.limit, (r) => [r.id]);
      return {
        data: page.data.map((d) => ({
          ...d,
          createdAt: iso(d.createdAt),
          updatedAt: iso(d.updatedAt),
          lastAttemptAt: d.lastAttemptAt && iso(d.lastAttemptAt),
          nextAttemptAt: d.nextAttemptAt && iso(d.nextAttemptAt),
        })),
        nextCursor: page.nextCursor,
      };
    },

    /** Re-delivers one recorded event: its delivery goes back through the connector's queue. */
    async retryDelivery(principal: Principal, deliveryId: string) {
      const [d] = await db.select().from(deliveries).where(eq(deliveries.id, deliveryId));
      const [owner] = d
        ? await db.select({ programIds: connectors.programIds }).from(connectors).where(eq(connectors.id, d.connectorId))
        : [];
      if (!d || !owner || !canSeePrograms(principal, owner.programIds)) throw new ApiError('not_found', `Delivery ${deliveryId} not found`);
      await requeue(d.connectorId, [d.eventId], 'retry');
      return { deliveryId, queued: 1 };
    },

    /** Re-delivers every matching event committed in [from, to). */
    async replay(principal: Principal, id: string, range: { from: string; to: string }) {
      const row = await getRow(principal, id);
      const ids = await deps.sql<{ id: string }[]>`
        select id from events
        where created_at >= ${range.from}::timestamptz and created_at < ${range.to}::timestamptz
          and (${row.events.length === 0} or type = any(${row.events}))
          and (${row.programIds.length === 0} or program_id = any(${row.programIds}))
        order by seq`;
      await requeue(
        id,
        ids.map((r) => r.id),
        'replay',
      );
      return { queued: ids.length };
    },
  };

  /**
   * Replays go through the same sync path: the chosen events are copied to the connector's
   * replay queue (a private event-log cursor would skip them), then the workflow is woken.
   */
  async function requeue(connectorId: string, eventIds: string[], trigger: 'retry' | 'replay') {
    if (eventIds.length > 0) {
      await deps.sql`
        insert into connector_replays (connector_id, event_id, trigger)
        select ${connectorId}, unnest(${eventIds}::text[]), ${trigger} on conflict do nothing`;
    }
    deps.connectorWaker?.changed(connectorId);
  }
}
