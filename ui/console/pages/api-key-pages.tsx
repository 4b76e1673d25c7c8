import type { Context, Hono } from 'hono';
import { apiKeyCreateSchema } from '../../../hub/contracts/api-key-contract.js';
import { createApiKeyService } from '../../../hub/services/api-key-service.js';
import { API_SCOPES } from '../../../schema/tables/api-keys.js';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { CsrfField } from '../console-layout.js';
import { consolePage } from '../console-page.js';
import { formErrors } from '../form-errors.js';
import { formList, formText, readForm } from '../read-form.js';
import { ActionButton } from '../components/action-button.js';
import { Field, type FieldErrors } from '../components/field.js';
import { FormAlert } from '../components/form-alert.js';
import { StatusBadge } from '../components/status-badge.js';
import { TimeText } from '../components/time-text.js';
import { ProgramChoices, programChoices } from './program-choices.js';

interface KeyValues {
  name: string;
  scopes: string[];
  programIds: string[];
}

/**
 * API keys (admins only): the list (never a secret), create, revoke. A created key is shown on
 * the answer to the create form and nowhere else: not in a redirect, a flash or a later page.
 */
export function registerApiKeyPages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps) {
  const keys = createApiKeyService(deps.db);

  async function keysPage(
    c: Context<ConsoleEnv>,
    v: KeyValues,
    problem?: { message: string; fields: FieldErrors; status: 403 | 404 | 409 | 422 },
  ) {
    const [list, programs] = await Promise.all([keys.list(c.get('principal')), programChoices(deps.db, c.get('principal'))]);
    const errors = problem?.fields ?? {};
    const scopesError = errors.scopes ?? Object.entries(errors).find(([k]) => k.startsWith('scopes.'))?.[1];
    return consolePage(
      c,
      'API keys',
      <>
        {list.length === 0 ? (
          <p>No API keys yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Prefix</th>
                  <th>Scopes</th>
                  <th>Programs</th>
                  <th>Last used</th>
                  <th>Created</th>
                  <th>Status</th>
                  <th>Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.map((k) => (
                  <tr>
                    <td>{k.name}</td>
                    <td>
                      <code>{k.prefix}…</code>
                    </td>
                    <td>{k.scopes.join(', ')}</td>
                    <td>{k.programIds.length ? k.programIds.join(', ') : 'every program'}</td>
                    <td>
                      <TimeText at={k.lastUsedAt} />
                    </td>
                    <td>
                      <TimeText at={k.createdAt} />
                    </td>
                    <td>{k.revokedAt ? <StatusBadge status="revoked" /> : <StatusBadge status="active" />}</td>
                    <td>
                      {k.revokedAt ? null : (
                        <ActionButton
                          c={c}
                          action={`/ui/api-keys/${k.id}/revoke`}
                          label="Revoke"
                          kind="danger"
                          confirm={`Revoke the key "${k.name}"?`}
                        />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h2>New API key</h2>
        <form method="post" action="/ui/api-keys" class="card">
          <CsrfField c={c} />
          <FormAlert message={problem?.message} />
          <Field name="name" label="Name" value={v.name} errors={errors} required />
          <fieldset aria-describedby={scopesError ? 'scopes-error' : 'scopes-hint'}>
            <legend>Scopes</legend>
            {API_SCOPES.map((s) => (
              <label class="inline">
                <input type="checkbox" name="scopes" value={s} checked={v.scopes.includes(s)} />
                {s}
              </label>
            ))}
            <p class="hint" id="scopes-hint">
              track: the tracking script and conversions; read: read everything; write: change records; admin: everything.
            </p>
            {scopesError ? (
              <p class="error" id="scopes-error">
                {scopesError}
              </p>
            ) : null}
          </fieldset>
          <ProgramChoices programs={programs} checked={v.programIds} error={errors.programIds} hint="None checked: every program." />
          <button type="submit">Create key</button>
        </form>
      </>,
      problem?.status ?? 200,
    );
  }

  ui.get('/api-keys', (c) => keysPage(c, { name: '', scopes: ['read'], programIds: [] }));

  ui.post('/api-keys', async (c) => {
    const form = await readForm(c);
    const v: KeyValues = {
      name: formText(form, 'name').trim(),
      scopes: formList(form, 'scopes'),
      programIds: formList(form, 'programIds'),
    };
    let created: Awaited<ReturnType<typeof keys.create>>;
    try {
      created = await keys.create(c.get('principal'), apiKeyCreateSchema.parse(v));
    } catch (err) {
      return keysPage(c, v, formErrors(err));
    }
    // The only time the secret is sent; this answer is not cached (the session sets no-store).
    return consolePage(
      c,
      'API key created',
      <section>
        <p class="notice" role="status">
          Copy the key now: it is shown only this once and cannot be shown again.
        </p>
        <label for="new-key">API key "{created.name}"</label>
        <input id="new-key" type="text" readonly value={created.key} autocomplete="off" />
        <p class="hint">
          Scopes: {created.scopes.join(', ')}; programs: {created.programIds.length ? created.programIds.join(', ') : 'every program'}.
        </p>
        <p>
          <a href="/ui/api-keys">Back to API keys</a>
        </p>
      </section>,
      201,
    );
  });

  ui.post('/api-keys/:id/revoke', async (c) => {
    await keys.revoke(c.get('principal'), c.req.param('id'));
    deps.cookies.flash(c, 'API key revoked: it no longer works.');
    return c.redirect('/ui/api-keys', 303);
  });
}
