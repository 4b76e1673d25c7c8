import type { Context } from 'hono';
import type { scheduleJson } from '../../../hub/services/schedule-service.js';
import type { ConsoleEnv } from '../console-env.js';
import { canChange } from '../components/action-button.js';
import { Pager } from '../components/pager.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import type { DestinationChoice } from './schedule-form.js';

type Schedule = ReturnType<typeof scheduleJson>;

/** How often a schedule runs, in words. */
export const whenText = (s: Schedule) => (s.every ? `every ${s.every}` : `cron ${s.cron} (${s.timezone ?? 'UTC'})`);

export const destinationText = (s: Schedule, destinations: DestinationChoice[]) => {
  const d = destinations.find((x) => x.id === s.connectorId);
  return d ? `${d.name} (${d.kind})` : s.connectorId;
};

export function ScheduleList(props: {
  c: Context<ConsoleEnv>;
  page: { data: Schedule[]; nextCursor: string | null };
  destinations: DestinationChoice[];
  cursor?: string;
}) {
  const { c, page } = props;
  return (
    <>
      {canChange(c) ? (
        <p>
          <a class="button" href="/ui/schedules/new">
            New schedule
          </a>
        </p>
      ) : null}
      {page.data.length === 0 ? (
        <p>No schedules yet. A schedule sends the new records of a program as a CSV file to SFTP, FTPS or email.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Records</th>
                <th>Destination</th>
                <th>When</th>
                <th>Status</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((s) => (
                <tr>
                  <td>
                    <a href={`/ui/schedules/${s.id}`}>{s.name}</a>
                  </td>
                  <td>{s.resource}</td>
                  <td>{destinationText(s, props.destinations)}</td>
                  <td>{whenText(s)}</td>
                  <td>
                    <StatusBadge status={s.paused ? 'disabled' : 'active'} />
                  </td>
                  <td>
                    <TimeText at={s.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager path="/ui/schedules" query={{ cursor: props.cursor }} nextCursor={page.nextCursor} />
    </>
  );
}
