import type { Context } from 'hono';
import type { scheduleJson } from '../../../hub/services/schedule-service.js';
import type { ConsoleEnv } from '../console-env.js';
import { ActionButton, canChange } from '../components/action-button.js';
import { Pager } from '../components/pager.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import type { DestinationChoice } from './schedule-form.js';
import { destinationText, whenText } from './schedule-list.js';

type Schedule = ReturnType<typeof scheduleJson>;
interface Run {
  id: string;
  status: string;
  recordCount: number | null;
  fileName: string;
  attempts: number;
  lastError: string | null;
  location: string | null;
  startedAt: string;
  finishedAt: string | null;
}

const fieldText = (fields: unknown[]) =>
  fields.map((f) => (f && typeof f === 'object' && 'target' in f ? String((f as { target: unknown }).target) : '?')).join(', ');

/** One schedule: its settings, the actions on it, and its runs (newest first). */
export function scheduleDetail(props: {
  c: Context<ConsoleEnv>;
  schedule: Schedule;
  runs: { data: Run[]; nextCursor: string | null };
  destinations: DestinationChoice[];
  cursor?: string;
}) {
  const { c, schedule: s, runs } = props;
  const base = `/ui/schedules/${s.id}`;
  return (
    <>
      <section aria-labelledby="settings">
        <h2 id="settings">Settings</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={s.paused ? 'disabled' : 'active'} />
          </dd>
          <dt>Records</dt>
          <dd>{s.resource}</dd>
          <dt>Destination</dt>
          <dd>{destinationText(s, props.destinations)}</dd>
          <dt>When</dt>
          <dd>{whenText(s)}</dd>
          <dt>Programs</dt>
          <dd>{s.programIds.length ? s.programIds.join(', ') : 'every program'}</dd>
          <dt>Fields</dt>
          <dd>{fieldText(s.fields)}</dd>
          <dt>File name</dt>
          <dd>
            <code>{s.fileName}</code>
            {s.gzip ? ' (gzip)' : ''}
          </dd>
          <dt>Empty runs</dt>
          <dd>{s.sendEmpty ? 'send an empty file' : 'send nothing'}</dd>
          <dt>Start from</dt>
          <dd>{s.startFrom ? <TimeText at={s.startFrom} /> : 'the beginning'}</dd>
        </dl>
        {canChange(c) ? (
          <p>
            <ActionButton c={c} action={`${base}/run`} label="Run now" />
            {s.paused ? (
              <ActionButton c={c} action={`${base}/enable`} label="Enable" kind="secondary" />
            ) : (
              <ActionButton c={c} action={`${base}/disable`} label="Disable" kind="secondary" />
            )}
            <a class="button secondary" href={`${base}/edit`}>
              Edit
            </a>
            <ActionButton c={c} action={`${base}/delete`} label="Delete" kind="danger" confirm={`Delete the schedule "${s.name}"?`} />
          </p>
        ) : null}
      </section>
      <section aria-labelledby="runs">
        <h2 id="runs">Runs</h2>
        {runs.data.length === 0 ? (
          <p>No runs yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Run</th>
                  <th>Status</th>
                  <th class="num">Records</th>
                  <th>File</th>
                  <th class="num">Attempts</th>
                  <th>Started</th>
                  <th>Finished</th>
                  <th>Error</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.map((r) => (
                  <tr>
                    <td>
                      <code>{r.id}</code>
                    </td>
                    <td>
                      <StatusBadge status={r.status} />
                    </td>
                    <td class="num">{r.recordCount ?? '—'}</td>
                    <td>
                      {r.fileName}
                      {r.location ? <div class="muted">{r.location}</div> : null}
                    </td>
                    <td class="num">{r.attempts}</td>
                    <td>
                      <TimeText at={r.startedAt} />
                    </td>
                    <td>
                      <TimeText at={r.finishedAt} />
                    </td>
                    <td>{r.lastError ?? ''}</td>
                    <td>
                      <a href={`${base}/runs/${r.id}/file`} download={r.fileName}>
                        Download
                      </a>{' '}
                      <ActionButton c={c} action={`${base}/runs/${r.id}/redeliver`} label="Redeliver" kind="secondary" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path={base} query={{ cursor: props.cursor }} nextCursor={runs.nextCursor} />
      </section>
    </>
  );
}
