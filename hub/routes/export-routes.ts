import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { createRecordCsv } from '../../connectors/csv/render-records.js';
import { recordNeeds } from '../../connectors/csv/record-needs.js';
import { lfToCrlf } from '../../connectors/csv/lf-to-crlf.js';
import { copyExport, copyExportable } from '../../schema/copy-export.js';
import { PoolTimeoutError } from '../../schema/reserve-connection.js';
import { DEFAULT_FIELDS, RECORD_ROOT, RESOURCES, streamRecords, type Resource } from '../../schema/record-queries.js';
import { ApiError } from '../http/api-error.js';
import { requireScope } from '../http/api-key-auth.js';
import type { HubEnv } from '../http/hub-env.js';
import { errorResponses, secured } from '../http/openapi-parts.js';
import type { HubDeps } from '../services/hub-deps.js';
import { exportFields } from '../services/export-fields.js';
import { createExportSlots } from '../services/export-slots.js';

const querySchema = z.object({
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'Created at or after (default: the beginning)' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Created before (default: now)' }),
  programId: z.union([z.string().max(64), z.array(z.string().max(64)).max(100)]).optional().meta({ description: 'Repeatable' }),
  fields: z.string().max(2000).optional().meta({ description: 'Comma-separated fields, e.g. email,status,member.email' }),
  delimiter: z.enum([',', ';', '\t', '|']).default(','),
});

// A client that stays connected but stops reading must not hold a database connection for
// ever: with nothing taken off the socket for this long, the response is dropped.
const DEFAULT_EXPORT_IDLE_MS = 30_000;

/**
 * Streams a CSV body with backpressure. Under the Node server it goes straight into the socket,
 * skipping the web-stream hop (Readable.toWeb, then node-server reading it back); errors after
 * the header went out can only end the stream, so they are logged. However the body ends
 * (finished, client gone, error mid-stream), `release` then ends its query, so the pooled
 * connection comes back.
 */
function send(c: Context<HubEnv>, body: Readable, headers: Record<string, string>, resource: string, deps: HubDeps, release: () => void) {
  const { logger } = deps;
  const failed = (err: unknown) => {
    const gone = (err as { code?: string } | null)?.code === 'ERR_STREAM_PREMATURE_CLOSE';
    if (gone) logger.info({ resource }, 'export client went away mid-stream');
    else logger.error({ err: String(err), resource }, 'export failed mid-stream');
  };
  const outgoing = c.env?.outgoing;
  if (outgoing) {
    outgoing.writeHead(200, headers);
    outgoing.setTimeout(deps.exportIdleTimeoutMs ?? DEFAULT_EXPORT_IDLE_MS, () => {
      logger.info({ resource }, 'export client stopped reading; dropping the response');
      outgoing.destroy();
    });
    pipeline(body, outgoing).catch(failed).finally(release);
    return RESPONSE_ALREADY_SENT as never;
  }
  body.on('error', failed);
  body.on('close', release);
  return new Response(Readable.toWeb(body) as ReadableStream, { status: 200, headers }) as never;
}

/** Manual export of any time frame, streamed from a database cursor (flat memory at any size). */
export function registerExportRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps) {
  // A quarter of the pool at most, so the API and the dispatcher always keep connections.
  const slots = createExportSlots(Math.max(1, Math.floor(deps.sql.options.max / 4)));
  for (const resource of RESOURCES) {
    app.openapi(createRoute({
      method: 'get', path: `/api/v1/exports/${resource}.csv`, tags: ['Export'], security: secured, middleware: [requireScope('read')],
      summary: `Export ${resource} as CSV (RFC 4180)`, request: { query: querySchema },
      responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } }, ...errorResponses(400, 503) },
    }), async (c) => {
      const q = c.req.valid('query');
      const principal = c.get('principal');
      const requested = q.programId === undefined ? [] : Array.isArray(q.programId) ? q.programId : [q.programId];
      if (requested.some((p) => principal.programIds.length > 0 && !principal.programIds.includes(p))) {
        throw new ApiError('forbidden', 'This API key is not allowed to access that program');
      }
      const programIds = requested.length > 0 ? requested : principal.programIds;
      const fields = exportFields(resource, q.fields);
      const headers = {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${resource}-${new Date().toISOString().slice(0, 10)}.csv"`,
      };
      const names = q.fields ? fields.map((f) => f.target) : DEFAULT_FIELDS[resource];
      const freeSlot = await slots.acquire();
      if (copyExportable(resource, names)) {
        // Plain columns: let PostgreSQL write the CSV and only relay it (flat memory, near-COPY speed).
        const copy = await copyExport(deps.sql, resource, {
          fields: names, from: new Date(q.from ?? '1970-01-01T00:00:00Z'), to: q.to ? new Date(q.to) : new Date(), programIds, delimiter: q.delimiter,
        }).catch((err: unknown) => {
          freeSlot();
          if (err instanceof PoolTimeoutError) throw new ApiError('unavailable', 'The database is busy; try the export again shortly');
          throw err;
        });
        // The COPY stream stays outside the pipeline: destroying it would not free its connection (see release).
        const body = copy.stream.pipe(lfToCrlf());
        copy.stream.on('error', (err) => body.destroy(err));
        return send(c, body, headers, resource, deps, () => { copy.release(); freeSlot(); });
      }
      // Mapped fields: rows from a cursor (only the columns the mapping reads), one string per batch.
      const csv = createRecordCsv(fields, RECORD_ROOT[resource as Resource], { delimiter: q.delimiter });
      const rows = streamRecords(deps.sql, resource, {
        kind: 'time', from: q.from ?? '1970-01-01T00:00:00Z', to: q.to ?? new Date().toISOString(), programIds,
      }, recordNeeds(fields, RECORD_ROOT[resource as Resource]));
      async function* text() {
        yield csv.header;
        for await (const batch of rows) yield csv.lines(batch);
      }
      // However the body ended, the cursor's portal is closed (after a batch still being fetched).
      const release = () => { rows.return(undefined).catch(() => {}).finally(freeSlot); };
      return send(c, Readable.from(text(), { objectMode: false }), headers, resource, deps, release);
    });
  }
}
