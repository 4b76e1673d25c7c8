import type { Context, Hono } from 'hono';
import { CONNECTORS } from '../../../connectors/registry.js';
import { scheduleCreateSchema, schedulePatchSchema } from '../../../hub/contracts/schedule-contract.js';
import { sendStream } from '../../../hub/http/send-stream.js';
import { createConnectorService } from '../../../hub/services/connector-service.js';
import { createScheduleRunFiles } from '../../../hub/services/schedule-run-file.js';
import { createScheduleService } from '../../../hub/services/schedule-service.js';
import { SCHEDULED_RESOURCES } from '../../../schema/record-queries.js';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { consolePage } from '../console-page.js';
import { formErrors } from '../form-errors.js';
import { readForm } from '../read-form.js';
import { SelectField } from '../components/select-field.js';
import { programChoices } from './program-choices.js';
import { scheduleDetail } from './schedule-detail.js';
import { ScheduleList } from './schedule-list.js';
import {
  asScheduledResource,
  emptyScheduleValues,
  readScheduleForm,
  ScheduleForm,
  scheduleFields,
  scheduleTiming,
  scheduleValues,
  startFromInstant,
  type DestinationChoice,
  type ScheduleFormValues,
} from './schedule-form.js';

const FILE_KINDS = new Set(CONNECTORS.filter((d) => d.scheduledFiles).map((d) => d.kind));

/**
 * Scheduled deliveries: the list, create (interval or cron, a file connector, record type and
 * fields), the detail with its run history (run now, redeliver a run, download a run's file),
 * edit, enable/disable and delete. Everything goes through the schedule service the API uses.
 */
export function registerSchedulePages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps) {
  const schedules = createScheduleService(deps);
  const runFiles = createScheduleRunFiles(deps);
  const connectors = createConnectorService(deps);

  async function destinations(c: Context<ConsoleEnv>): Promise<DestinationChoice[]> {
    const page = await connectors.list(c.get('principal'), { limit: 200 });
    return page.data.filter((d) => FILE_KINDS.has(d.kind)).map((d) => ({ id: d.id, name: d.name, kind: d.kind }));
  }

  async function formPage(
    c: Context<ConsoleEnv>,
    opts: { title: string; action: string; values: ScheduleFormValues; editing?: boolean; submitLabel: string },
    problem?: { message: string; fields: Record<string, string>; status: 403 | 404 | 409 | 422 },
  ) {
    const [dests, programs] = await Promise.all([destinations(c), programChoices(deps.db, c.get('principal'))]);
    const chooser = opts.editing ? null : (
      <form method="get" action="/ui/schedules/new" class="filters">
        <SelectField name="resource" label="Record type" options={[...SCHEDULED_RESOURCES]} value={opts.values.resource} />
        <div>
          <button type="submit" class="secondary">
            Show fields
          </button>
        </div>
      </form>
    );
    return consolePage(
      c,
      opts.title,
      <>
        {chooser}
        <ScheduleForm
          c={c}
          action={opts.action}
          values={opts.values}
          destinations={dests}
          programs={programs}
          errors={problem?.fields}
          message={problem?.message}
          editing={opts.editing}
          submitLabel={opts.submitLabel}
        />
      </>,
      problem?.status ?? 200,
    );
  }

  ui.get('/schedules', async (c) => {
    const cursor = c.req.query('cursor');
    const [page, dests] = await Promise.all([schedules.list(c.get('principal'), { limit: 50, cursor }), destinations(c)]);
    return consolePage(c, 'Schedules', <ScheduleList c={c} page={page} destinations={dests} cursor={cursor} />);
  });

  const newForm = (values: ScheduleFormValues) => ({
    title: 'New schedule',
    action: '/ui/schedules',
    values,
    submitLabel: 'Create schedule',
  });

  ui.get('/schedules/new', (c) => formPage(c, newForm(emptyScheduleValues(asScheduledResource(c.req.query('resource'))))));

  ui.post('/schedules', async (c) => {
    const values = readScheduleForm(await readForm(c));
    const { fields, error } = scheduleFields(values);
    if (error) return formPage(c, newForm(values), { message: 'Check the highlighted fields', fields: { fields: error }, status: 422 });
    try {
      const input = scheduleCreateSchema.parse({
        name: values.name,
        connectorId: values.connectorId,
        resource: values.resource,
        programIds: values.programIds,
        ...scheduleTiming(values),
        fileName: values.fileName || undefined,
        fields,
        delimiter: values.delimiter,
        gzip: values.gzip,
        sendEmpty: values.sendEmpty,
        startFrom: startFromInstant(values),
        paused: values.paused,
      });
      const created = await schedules.create(c.get('principal'), input);
      deps.cookies.flash(c, `Schedule "${created.name}" created.`);
      return c.redirect(`/ui/schedules/${created.id}`, 303);
    } catch (err) {
      return formPage(c, newForm(values), formErrors(err));
    }
  });

  ui.get('/schedules/:id', async (c) => {
    const id = c.req.param('id');
    const cursor = c.req.query('cursor');
    const row = await schedules.getRow(c.get('principal'), id);
    const [runs, dests] = await Promise.all([schedules.runs(c.get('principal'), id, { limit: 25, cursor }), destinations(c)]);
    const schedule = schedules.json(row);
    return consolePage(c, `Schedule: ${schedule.name}`, scheduleDetail({ c, schedule, runs, destinations: dests, cursor }));
  });

  const editForm = (id: string, values: ScheduleFormValues) => ({
    title: 'Edit schedule',
    action: `/ui/schedules/${id}`,
    values,
    editing: true,
    submitLabel: 'Save changes',
  });

  ui.get('/schedules/:id/edit', async (c) => {
    const id = c.req.param('id');
    const row = await schedules.getRow(c.get('principal'), id);
    return formPage(c, editForm(id, scheduleValues(schedules.json(row))));
  });

  ui.post('/schedules/:id', async (c) => {
    const id = c.req.param('id');
    const current = schedules.json(await schedules.getRow(c.get('principal'), id));
    // Record type and destination cannot change; the form shows them, the row keeps them.
    const values = {
      ...readScheduleForm(await readForm(c)),
      resource: asScheduledResource(current.resource),
      connectorId: current.connectorId,
    };
    const { fields, error } = scheduleFields(values);
    if (error)
      return formPage(c, editForm(id, values), { message: 'Check the highlighted fields', fields: { fields: error }, status: 422 });
    try {
      const input = schedulePatchSchema.parse({
        name: values.name,
        programIds: values.programIds,
        ...scheduleTiming(values),
        fileName: values.fileName || undefined,
        fields,
        delimiter: values.delimiter,
        gzip: values.gzip,
        sendEmpty: values.sendEmpty,
      });
      await schedules.patch(c.get('principal'), id, input);
      deps.cookies.flash(c, 'Schedule saved.');
      return c.redirect(`/ui/schedules/${id}`, 303);
    } catch (err) {
      return formPage(c, editForm(id, values), formErrors(err));
    }
  });

  const action = (path: string, run: (c: Context<ConsoleEnv>, id: string) => Promise<string>) =>
    ui.post(`/schedules/:id/${path}`, async (c) => {
      const id = c.req.param('id');
      deps.cookies.flash(c, await run(c, id));
      return c.redirect(`/ui/schedules/${id}`, 303);
    });

  action('run', async (c, id) => {
    const { runId } = await schedules.runNow(c.get('principal'), id);
    return `Run ${runId} started. Reload to see how it went.`;
  });
  action('disable', async (c, id) => {
    await schedules.patch(c.get('principal'), id, { paused: true });
    return 'Schedule disabled: it will not run until enabled again.';
  });
  action('enable', async (c, id) => {
    await schedules.patch(c.get('principal'), id, { paused: false });
    return 'Schedule enabled.';
  });

  ui.post('/schedules/:id/runs/:runId/redeliver', async (c) => {
    const { id, runId } = c.req.param();
    await schedules.redeliver(c.get('principal'), id, runId);
    deps.cookies.flash(c, `Run ${runId} is being delivered again.`);
    return c.redirect(`/ui/schedules/${id}`, 303);
  });

  ui.post('/schedules/:id/delete', async (c) => {
    const row = await schedules.getRow(c.get('principal'), c.req.param('id'));
    await schedules.remove(c.get('principal'), row.id);
    deps.cookies.flash(c, `Schedule "${row.name}" deleted.`);
    return c.redirect('/ui/schedules', 303);
  });

  ui.get('/schedules/:id/runs/:runId/file', async (c) => {
    const { id, runId } = c.req.param();
    return sendStream(c, await runFiles.open(c.get('principal'), id, runId), 'schedule run', deps);
  });
}
