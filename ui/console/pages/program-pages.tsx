import type { Context, Hono } from 'hono';
import { programCreateSchema, programPatchSchema } from '../../../hub/contracts/program-contract.js';
import type { Principal } from '../../../hub/http/hub-env.js';
import { createConnectorService } from '../../../hub/services/connector-service.js';
import { createProgramService } from '../../../hub/services/program-service.js';
import { canChange } from '../components/action-button.js';
import { Pager } from '../components/pager.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { consolePage } from '../console-page.js';
import { formErrors } from '../form-errors.js';
import { readForm } from '../read-form.js';
import { ProgramDetails } from './program-details.js';
import { ProgramForm } from './program-form.js';
import { errorsForInputs, newProgramValues, programValues, readProgramForm, type FlatValues } from './program-form-values.js';

const PAGE_SIZE = 50;

/** Programs: the list, a new program, and one program's details with its edit form. */
export function registerProgramPages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps) {
  const programs = createProgramService(deps.db);
  const connectors = createConnectorService(deps);
  const principal = (c: Context<ConsoleEnv>): Principal => c.get('principal');
  // The email connectors the user may pick for share emails (a short list: connectors are few).
  const emailConnectors = async (c: Context<ConsoleEnv>) =>
    (await connectors.list(principal(c), { limit: 200, kind: 'email' })).data.map((k) => ({ id: k.id, name: k.name }));

  ui.get('/programs', async (c) => {
    const cursor = c.req.query('cursor');
    const page = await programs.list(principal(c), { limit: PAGE_SIZE, cursor });
    // A user limited to some programs cannot create one (it could not see it afterwards).
    const canCreate = canChange(c) && principal(c).programIds.length === 0;
    return consolePage(
      c,
      'Programs',
      <>
        {canCreate ? (
          <p>
            <a class="button" href="/ui/programs/new">
              New program
            </a>
          </p>
        ) : null}
        {page.data.length === 0 ? (
          <p class="muted">No programs yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Slug</th>
                  <th>Status</th>
                  <th>Currency</th>
                  <th class="num">Active rules</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {page.data.map((p) => (
                  <tr>
                    <td>
                      <a href={`/ui/programs/${p.id}`}>{p.name}</a>
                    </td>
                    <td>{p.slug}</td>
                    <td>
                      <StatusBadge status={p.status} />
                    </td>
                    <td>{p.currency}</td>
                    <td class="num">{p.rewardRules.filter((r) => r.active).length}</td>
                    <td>
                      <TimeText at={p.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pager path="/ui/programs" query={{ cursor }} nextCursor={page.nextCursor} />
      </>,
    );
  });

  const newPage = async (c: Context<ConsoleEnv>, values: FlatValues, failure?: ReturnType<typeof formErrors>) =>
    consolePage(
      c,
      'New program',
      <ProgramForm
        c={c}
        mode="create"
        action="/ui/programs/new"
        values={values}
        errors={failure ? errorsForInputs(failure.fields) : undefined}
        message={failure?.message}
        emailConnectors={await emailConnectors(c)}
      />,
      failure?.status,
    );

  ui.get('/programs/new', async (c) => {
    if (!canChange(c)) return consolePage(c, 'Not allowed', <p class="alert">Your role can look but not change anything.</p>, 403);
    return newPage(c, newProgramValues());
  });

  ui.post('/programs/new', async (c) => {
    const { values, input, errors } = readProgramForm(await readForm(c));
    try {
      const parsed = programCreateSchema.safeParse(input);
      if (!parsed.success || Object.keys(errors).length > 0) {
        const failure = parsed.success
          ? { message: 'Check the highlighted fields', fields: {}, status: 422 as const }
          : formErrors(parsed.error);
        return await newPage(c, values, { ...failure, fields: { ...failure.fields, ...errors } });
      }
      const program = await programs.create(principal(c), parsed.data);
      deps.cookies.flash(c, `Program ${program.name} created.`);
      return c.redirect(`/ui/programs/${program.id}`, 303);
    } catch (err) {
      return newPage(c, values, formErrors(err));
    }
  });

  const detailPage = async (c: Context<ConsoleEnv>, id: string, values?: FlatValues, failure?: ReturnType<typeof formErrors>) => {
    const program = await programs.getVisible(principal(c), id);
    return consolePage(
      c,
      program.name,
      <>
        <ProgramDetails c={c} program={program} publicUrl={deps.publicUrl} />
        {canChange(c) ? (
          <>
            <h2>Edit</h2>
            <ProgramForm
              c={c}
              mode="edit"
              action={`/ui/programs/${program.id}`}
              values={values ?? programValues(program)}
              errors={failure ? errorsForInputs(failure.fields) : undefined}
              message={failure?.message}
              emailConnectors={await emailConnectors(c)}
            />
          </>
        ) : null}
      </>,
      failure?.status,
    );
  };

  ui.get('/programs/:id', async (c) => {
    try {
      return await detailPage(c, c.req.param('id'));
    } catch (err) {
      const failure = formErrors(err);
      return consolePage(c, 'Not found', <p>{failure.message}</p>, failure.status);
    }
  });

  ui.post('/programs/:id', async (c) => {
    const id = c.req.param('id');
    const { values, input, errors } = readProgramForm(await readForm(c));
    // The slug names hosted pages and links already handed out: it is not editable.
    delete input.slug;
    try {
      await programs.getVisible(principal(c), id);
      const parsed = programPatchSchema.safeParse(input);
      if (!parsed.success || Object.keys(errors).length > 0) {
        const failure = parsed.success
          ? { message: 'Check the highlighted fields', fields: {}, status: 422 as const }
          : formErrors(parsed.error);
        return await detailPage(c, id, values, { ...failure, fields: { ...failure.fields, ...errors } });
      }
      await programs.patch(principal(c), id, parsed.data);
      deps.cookies.flash(c, 'Saved.');
      return c.redirect(`/ui/programs/${id}`, 303);
    } catch (err) {
      const failure = formErrors(err);
      if (failure.status === 404) return consolePage(c, 'Not found', <p>{failure.message}</p>, 404);
      return detailPage(c, id, values, failure);
    }
  });

  ui.post('/programs/:id/publishable-key', async (c) => {
    const id = c.req.param('id');
    try {
      await programs.rotatePublishableKey(principal(c), id);
    } catch (err) {
      const failure = formErrors(err);
      return consolePage(c, 'Not found', <p>{failure.message}</p>, failure.status);
    }
    deps.cookies.flash(c, 'A new publishable key is in use; the old one no longer works.');
    return c.redirect(`/ui/programs/${id}`, 303);
  });
}
