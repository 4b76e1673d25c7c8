import type { Context, Hono } from 'hono';
import type { Principal } from '../../../hub/http/hub-env.js';
import { ApiError } from '../../../hub/http/api-error.js';
import { assertCanAssignPrograms, canSeePrograms } from '../../../hub/http/program-scope.js';
import type { UserRow } from '../../../hub/console/user-service.js';
import { USER_ROLES, type UserRole } from '../../../schema/tables/users.js';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { CsrfField } from '../console-layout.js';
import { consolePage } from '../console-page.js';
import { formErrors } from '../form-errors.js';
import { formList, formText, readForm } from '../read-form.js';
import { ActionButton } from '../components/action-button.js';
import { Field, type FieldErrors } from '../components/field.js';
import { FormAlert } from '../components/form-alert.js';
import { SelectField } from '../components/select-field.js';
import { TimeText } from '../components/time-text.js';
import { ProgramChoices, programChoices } from './program-choices.js';

interface UserValues {
  email: string;
  name: string;
  role: string;
  programIds: string[];
}
type Problem = { message: string; fields: FieldErrors; status: 403 | 404 | 409 | 422 };

const readUserForm = async (c: Context<ConsoleEnv>): Promise<UserValues> => {
  const form = await readForm(c);
  return {
    email: formText(form, 'email').trim(),
    name: formText(form, 'name').trim(),
    role: formText(form, 'role'),
    programIds: formList(form, 'programIds'),
  };
};

/**
 * An admin limited to some programs manages only users inside them, and gives only those
 * programs: otherwise it could make itself an admin of every program through a new user.
 */
function assertManages(principal: Principal, user: UserRow) {
  if (!canSeePrograms(principal, user.programIds)) throw new ApiError('not_found', `User ${user.id} not found`);
}

/**
 * Console users (admins only): list, add with a one-time setup link, change role and programs,
 * send a reset link, remove (never the last admin: the service refuses and says why). Setup
 * links are shown once, on the answer to the action, never in a redirect or flash.
 */
export function registerUserPages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps) {
  const { users } = deps;
  const linkFor = async (userId: string) => `${deps.publicUrl.replace(/\/+$/, '')}/setup/${await users.createSetupToken(userId)}`;

  const linkPage = (c: Context<ConsoleEnv>, title: string, intro: string, link: string, status: 200 | 201 = 200) =>
    consolePage(
      c,
      title,
      <section>
        <p class="notice" role="status">
          {intro}
        </p>
        <label for="setup-link">One-time link (valid 24 hours, shown only now)</label>
        <input id="setup-link" type="text" readonly value={link} autocomplete="off" />
        <p>
          <a href="/ui/users">Back to users</a>
        </p>
      </section>,
      status,
    );

  async function userForm(
    c: Context<ConsoleEnv>,
    opts: { title: string; action: string; values: UserValues; editing?: boolean },
    problem?: Problem,
  ) {
    const programs = await programChoices(deps.db, c.get('principal'));
    const errors = problem?.fields ?? {};
    const v = opts.values;
    return consolePage(
      c,
      opts.title,
      <form method="post" action={opts.action} class="card">
        <CsrfField c={c} />
        <FormAlert message={problem?.message} />
        {opts.editing ? (
          <p>
            <strong>Email:</strong> {v.email}
          </p>
        ) : (
          <Field name="email" label="Email" type="email" value={v.email} errors={errors} required autocomplete="off" />
        )}
        <Field name="name" label="Name" value={v.name} errors={errors} />
        <SelectField
          name="role"
          label="Role"
          options={[
            { value: 'viewer', label: 'viewer (read only)' },
            { value: 'editor', label: 'editor (everything but users and API keys)' },
            { value: 'admin', label: 'admin (everything)' },
          ]}
          value={v.role}
          errors={errors}
        />
        <ProgramChoices programs={programs} checked={v.programIds} error={errors.programIds} hint="None checked: every program." />
        <button type="submit">{opts.editing ? 'Save changes' : 'Add user'}</button>
      </form>,
      problem?.status ?? 200,
    );
  }

  ui.get('/users', async (c) => {
    const principal = c.get('principal');
    const list = (await users.list()).filter((u) => canSeePrograms(principal, u.programIds));
    const me = c.get('user').id;
    return consolePage(
      c,
      'Users',
      <>
        <p>
          <a class="button" href="/ui/users/new">
            Add user
          </a>
        </p>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Email</th>
                <th>Name</th>
                <th>Role</th>
                <th>Programs</th>
                <th>Password</th>
                <th>Last sign-in</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr>
                  <td>
                    {u.email}
                    {u.id === me ? ' (you)' : ''}
                  </td>
                  <td>{u.name}</td>
                  <td>{u.role}</td>
                  <td>{u.programIds.length ? u.programIds.join(', ') : 'every program'}</td>
                  <td>{u.passwordHash ? 'set' : 'not set yet'}</td>
                  <td>
                    <TimeText at={u.lastSignInAt} />
                  </td>
                  <td>
                    <a href={`/ui/users/${u.id}/edit`}>Edit</a>{' '}
                    <ActionButton c={c} action={`/ui/users/${u.id}/reset`} label="Send reset link" kind="secondary" />
                    <ActionButton c={c} action={`/ui/users/${u.id}/remove`} label="Remove" kind="danger" confirm={`Remove ${u.email}?`} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>,
    );
  });

  const newForm = (values: UserValues) => ({ title: 'Add user', action: '/ui/users', values });
  ui.get('/users/new', (c) => userForm(c, newForm({ email: '', name: '', role: 'viewer', programIds: [] })));

  ui.post('/users', async (c) => {
    const v = await readUserForm(c);
    let user: UserRow;
    try {
      assertCanAssignPrograms(c.get('principal'), v.programIds);
      user = await users.create({ email: v.email, name: v.name, role: v.role as UserRole, programIds: v.programIds });
    } catch (err) {
      return userForm(c, newForm(v), formErrors(err));
    }
    return linkPage(
      c,
      'User added',
      `${user.email} is added as ${user.role}. Send them this link: they choose their password there.`,
      await linkFor(user.id),
      201,
    );
  });

  const editForm = (id: string, values: UserValues) => ({ title: 'Edit user', action: `/ui/users/${id}`, values, editing: true });

  ui.get('/users/:id/edit', async (c) => {
    const user = await users.get(c.req.param('id'));
    assertManages(c.get('principal'), user);
    return userForm(c, editForm(user.id, { email: user.email, name: user.name, role: user.role, programIds: user.programIds }));
  });

  ui.post('/users/:id', async (c) => {
    const user = await users.get(c.req.param('id'));
    assertManages(c.get('principal'), user);
    const v = { ...(await readUserForm(c)), email: user.email };
    try {
      assertCanAssignPrograms(c.get('principal'), v.programIds);
      if (!(USER_ROLES as readonly string[]).includes(v.role))
        throw new ApiError('validation_failed', 'Check the highlighted fields', [
          { path: 'role', message: `One of ${USER_ROLES.join(', ')}` },
        ]);
      await users.update(user.id, { name: v.name, role: v.role as UserRole, programIds: v.programIds });
    } catch (err) {
      return userForm(c, editForm(user.id, v), formErrors(err));
    }
    deps.cookies.flash(c, `${user.email} saved.`);
    return c.redirect('/ui/users', 303);
  });

  ui.post('/users/:id/reset', async (c) => {
    const user = await users.get(c.req.param('id'));
    assertManages(c.get('principal'), user);
    return linkPage(
      c,
      'Reset link',
      `Send ${user.email} this link: they choose a new password there (their current one works until then).`,
      await linkFor(user.id),
    );
  });

  ui.post('/users/:id/remove', async (c) => {
    const user = await users.get(c.req.param('id'));
    assertManages(c.get('principal'), user);
    await users.remove(user.id);
    deps.cookies.flash(c, `${user.email} removed.`);
    return c.redirect('/ui/users', 303);
  });
}
