import { expect } from 'vitest';
import type { Harness } from './hub-harness.js';
import { waitFor } from './hub-harness.js';

/** Run now and wait until that run is finished; returns the run's JSON. */
export async function runAndWait(h: Harness, scheduleId: string, timeoutMs = 30_000) {
  const started = await h.call('POST', `/api/v1/schedules/${scheduleId}/run`);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  return waitForRun(h, scheduleId, started.body.runId, timeoutMs);
}

export async function waitForRun(h: Harness, scheduleId: string, runId: string, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const runs = await h.call('GET', `/api/v1/schedules/${scheduleId}/runs?limit=200`);
      const run = runs.body.data.find((r: { id: string }) => r.id === runId);
      return run && run.status !== 'running' ? run : undefined;
    },
    timeoutMs,
    `run ${runId} finished`,
  );
}

/** Minimal RFC 4180 reader for the files we wrote (quoted fields, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
