import { Readable } from 'node:stream';
import { createRecordCsv } from '../../connectors/csv/render-records.js';
import { recordNeeds } from '../../connectors/csv/record-needs.js';
import { lfToCrlf } from '../../connectors/csv/lf-to-crlf.js';
import type { CsvDelimiter } from '../../connectors/csv/csv-writer.js';
import { copyExport, copyExportable } from '../../schema/copy-export.js';
import { copyRecords } from '../../schema/copy-records.js';
import { recordSqlMapping } from '../../workflows/activities/record-sql-mapping.js';
import { PoolTimeoutError } from '../../schema/reserve-connection.js';
import { DEFAULT_FIELDS, RECORD_ROOT, streamRecords, type Resource } from '../../schema/record-queries.js';
import type { ExportQuery } from '../contracts/export-contract.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/hub-env.js';
import type { OpenStream } from '../http/send-stream.js';
import type { HubDeps } from './hub-deps.js';
import { exportFields } from './export-fields.js';
import { exportSlotsFor } from './export-slots.js';

/** Manual export of any time frame, streamed from a database cursor (flat memory at any size). */
export function createExportService(deps: Pick<HubDeps, 'sql'>) {
  const slots = exportSlotsFor(deps.sql);
  return {
    /** Opens the CSV of one export; a program-limited principal gets only its programs' records. */
    async open(principal: Principal, resource: Resource, q: ExportQuery): Promise<OpenStream> {
      const requested = q.programId === undefined ? [] : Array.isArray(q.programId) ? q.programId : [q.programId];
      if (requested.some((p) => principal.programIds.length > 0 && !principal.programIds.includes(p))) {
        throw new ApiError('forbidden', 'This API key is not allowed to access that program');
      }
      const programIds = requested.length > 0 ? requested : principal.programIds;
      const statuses = q.status === undefined ? [] : Array.isArray(q.status) ? q.status : [q.status];
      const fields = exportFields(resource, q.fields);
      const headers = {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${resource}-${new Date().toISOString().slice(0, 10)}.csv"`,
      };
      const names = q.fields ? fields.map((f) => f.target) : DEFAULT_FIELDS[resource];
      const freeSlot = await slots.acquire();
      const filter = {
        kind: 'time' as const,
        from: q.from ?? '1970-01-01T00:00:00Z',
        to: q.to ?? new Date().toISOString(),
        programIds,
        statuses,
      };
      const csv = createRecordCsv(fields, RECORD_ROOT[resource], { delimiter: q.delimiter as CsvDelimiter });
      // Plain columns: PostgreSQL's CSV of the columns. A mapping SQL can reproduce byte for byte
      // (nested custom fields, value maps, record dates…): PostgreSQL's CSV of the compiled cells.
      // Either way the hub only relays bytes (flat memory, near-COPY speed).
      const compiled = copyExportable(resource, names) ? undefined : recordSqlMapping(resource, fields);
      if (compiled === undefined || 'cells' in compiled) {
        const copying =
          compiled === undefined
            ? copyExport(deps.sql, resource, {
                fields: names,
                from: new Date(filter.from),
                to: new Date(filter.to),
                programIds,
                statuses,
                delimiter: q.delimiter,
              })
            : copyRecords(deps.sql, resource, { filter, cells: compiled.cells, member: compiled.member, delimiter: q.delimiter });
        const copy = await copying.catch((err: unknown) => {
          freeSlot();
          if (err instanceof PoolTimeoutError) throw new ApiError('unavailable', 'The database is busy; try the export again shortly');
          throw err;
        });
        // The COPY stream stays outside the pipeline: destroying it would not free its connection (see release).
        const body = copy.stream.pipe(lfToCrlf());
        // The compiled COPY has no header: ours goes first, written as the CSV writer writes it.
        if (compiled !== undefined) body.push(csv.header);
        copy.stream.on('error', (err) => body.destroy(err));
        return {
          body,
          headers,
          release: () => {
            copy.release();
            freeSlot();
          },
        };
      }
      // What SQL cannot reproduce: rows from a cursor (only the columns the mapping reads), mapped in JS, one string per batch.
      const rows = streamRecords(deps.sql, resource, filter, recordNeeds(fields, RECORD_ROOT[resource]));
      async function* text() {
        yield csv.header;
        for await (const batch of rows) yield csv.lines(batch);
      }
      // However the body ended, the cursor's portal is closed (after a batch still being fetched).
      const release = () => {
        rows
          .return(undefined)
          .catch(() => {})
          .finally(freeSlot);
      };
      return { body: Readable.from(text(), { objectMode: false }), headers, release };
    },
  };
}
