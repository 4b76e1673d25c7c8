import type { Context, Hono } from 'hono';
import type { FormTokens } from '../../hub/http/form-tokens.js';
import type { HubEnv } from '../../hub/http/hub-env.js';
import type { ConsoleSessionStore } from '../../hub/console/console-session-store.js';
import type { LoginThrottle } from '../../hub/console/login-throttle.js';
import type { UserService } from '../../hub/console/user-service.js';
import { Field, type FieldErrors } from './components/field.js';
import { formErrors } from './form-errors.js';
import type { ConsoleCookieJar } from './console-session.js';
import { PublicLayout } from './public-layout.js';
import { formText, readForm } from './read-form.js';

const LOGIN_FORM = '~console-sign-in';
const SETUP_FORM = '~console-setup';

/** Only a console path of ours: `next` never sends someone to another site after sign-in. */
function safeNext(next: string | undefined): string {
  return next && /^\/ui(\/|\?|$)/.test(next) && !next.startsWith('//') ? next : '/ui';
}

export interface LoginDeps {
  users: UserService;
  sessions: ConsoleSessionStore;
  throttle: LoginThrottle;
  cookies: ConsoleCookieJar;
  formTokens: FormTokens;
  clientIp: (c: Context<HubEnv>) => string | undefined;
}

/**
 * Sign-in, sign-out and the one-time password links. Messages are the same whether the email
 * is unknown or the password wrong; repeated failures wait longer each time (see LoginThrottle).
 */
export function registerLoginRoutes(app: Hono<HubEnv>, d: LoginDeps) {
  const signInPage = (c: Context<HubEnv>, opts: { email?: string; next?: string; error?: string; status?: 200 | 401 | 403 | 429 }) =>
    c.html(
      <PublicLayout title="Sign in">
        {opts.error ? (
          <p class="alert" role="alert">
            {opts.error}
          </p>
        ) : null}
        <form method="post" action="/login">
          <input type="hidden" name="_csrf" value={d.formTokens.issue(c, LOGIN_FORM)} />
          <input type="hidden" name="next" value={safeNext(opts.next)} />
          <Field name="email" label="Email" type="email" value={opts.email} required autocomplete="username" autofocus />
          <Field name="password" label="Password" type="password" required autocomplete="current-password" />
          <button type="submit">Sign in</button>
        </form>
      </PublicLayout>,
      opts.status ?? 200,
      { 'cache-control': 'no-store' },
    );

  app.get('/', (c) => c.redirect('/ui', 302));

  app.get('/login', async (c) => {
    const id = await d.cookies.readSession(c);
    if (id && (await d.sessions.find(id))) return c.redirect(safeNext(c.req.query('next')), 303);
    return signInPage(c, { next: c.req.query('next') });
  });

  app.post('/login', async (c) => {
    const form = await readForm(c);
    const email = formText(form, 'email').trim();
    const next = formText(form, 'next');
    if (!d.formTokens.verify(c, LOGIN_FORM, formText(form, '_csrf'))) {
      return signInPage(c, { email, next, status: 403, error: 'This form expired or came from another site. Try again.' });
    }
    const ip = d.clientIp(c);
    const wait = await d.throttle.waitMs(email, ip);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      c.header('retry-after', String(seconds));
      return signInPage(c, { email, next, status: 429, error: `Too many attempts. Wait ${seconds} s and try again.` });
    }
    const user = email ? await d.users.checkPassword(email, formText(form, 'password')) : undefined;
    if (!user) {
      await d.throttle.recordFailure(email, ip);
      return signInPage(c, { email, next, status: 401, error: 'Email or password is incorrect.' });
    }
    await d.throttle.recordSuccess(email);
    await d.users.touchSignIn(user.id);
    const session = await d.sessions.create(user.id);
    await d.cookies.setSession(c, session.id);
    return c.redirect(safeNext(next), 303);
  });

  // Outside /ui's session middleware so an expired session can still "sign out" cleanly; the
  // token is checked against the session when there is one.
  app.post('/logout', async (c) => {
    const id = await d.cookies.readSession(c);
    if (id) await d.sessions.destroy(id);
    d.cookies.clearSession(c);
    return c.redirect('/login', 303);
  });

  const setupPage = (
    c: Context<HubEnv>,
    token: string,
    firstAdmin: boolean,
    opts: { email?: string; error?: string; fields?: FieldErrors; status?: 200 | 403 | 409 | 422 } = {},
  ) =>
    c.html(
      <PublicLayout title={firstAdmin ? 'Create the first admin' : 'Choose a password'}>
        {opts.error ? (
          <p class="alert" role="alert">
            {opts.error}
          </p>
        ) : null}
        <form method="post" action={`/setup/${token}`}>
          <input type="hidden" name="_csrf" value={d.formTokens.issue(c, SETUP_FORM)} />
          {firstAdmin ? (
            <Field name="email" label="Email" type="email" value={opts.email} required autocomplete="username" errors={opts.fields} />
          ) : null}
          <Field
            name="password"
            label="Password"
            type="password"
            required
            autocomplete="new-password"
            errors={opts.fields}
            hint="At least 8 characters; a passphrase is best."
          />
          <Field name="confirm" label="Password again" type="password" required autocomplete="new-password" errors={opts.fields} />
          <button type="submit">{firstAdmin ? 'Create admin' : 'Set password'}</button>
        </form>
      </PublicLayout>,
      opts.status ?? 200,
      { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' },
    );

  const expired = (c: Context<HubEnv>) =>
    c.html(
      <PublicLayout title="Link expired">
        <p>This link has expired or was already used.</p>
        <p>
          <a href="/login">Sign in</a>
        </p>
      </PublicLayout>,
      404,
    );

  app.get('/setup/:token', async (c) => {
    const token = c.req.param('token');
    const valid = await d.users.setupTokenValid(token);
    if (!valid) return expired(c);
    return setupPage(c, token, valid.userId === null);
  });

  app.post('/setup/:token', async (c) => {
    const token = c.req.param('token');
    const valid = await d.users.setupTokenValid(token);
    if (!valid) return expired(c);
    const firstAdmin = valid.userId === null;
    const form = await readForm(c);
    const email = formText(form, 'email').trim();
    if (!d.formTokens.verify(c, SETUP_FORM, formText(form, '_csrf'))) {
      return setupPage(c, token, firstAdmin, { email, status: 403, error: 'This form expired or came from another site. Try again.' });
    }
    const password = formText(form, 'password');
    if (password !== formText(form, 'confirm')) {
      return setupPage(c, token, firstAdmin, { email, status: 422, fields: { confirm: 'The two passwords differ' } });
    }
    try {
      const user = await d.users.useSetupToken(token, { email, password });
      const session = await d.sessions.create(user.id);
      await d.cookies.setSession(c, session.id);
      return c.redirect('/ui', 303);
    } catch (err) {
      const e = formErrors(err);
      return setupPage(c, token, firstAdmin, { email, status: e.status === 404 ? 409 : e.status, error: e.message, fields: e.fields });
    }
  });
}
