import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { HostedPageKit } from '../http/hosted-page-kit.js';
import type { HubEnv } from '../http/hub-env.js';
import { readPersonFields } from '../pages/form-fields.js';
import { MessagePage } from '../pages/message-page.js';
import { PortalPage } from '../pages/portal-page.js';
import { PortalConfirmPage, PortalSignInPage } from '../pages/portal-pages.js';
import type { HostedProgram } from '../services/hosted-program-service.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createPortalLoginService } from '../services/portal-login-service.js';
import { createPortalViewService } from '../services/portal-view-service.js';

/**
 * The member portal: sign-in by emailed single-use link, then the member's own link, clicks,
 * referrals, rewards and payouts. Members keep access while a program is paused or archived:
 * rewards they earned are still theirs to follow.
 */
export function registerPortalPageRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps, kit: HostedPageKit) {
  const logins = createPortalLoginService(deps);
  const views = createPortalViewService(deps.db, deps.publicUrl);

  const signIn = (c: Context<HubEnv>, program: HostedProgram, state: { email?: string; error?: string } = {}) =>
    kit.page(
      c,
      <PortalSignInPage
        slug={program.slug}
        programName={program.name}
        csrfToken={kit.formTokens.issue(c, program.slug)}
        values={{ email: state.email }}
        errors={{ email: state.error }}
      />,
      state.error ? 422 : 200,
    );

  // The same page, member or not, sent or skipped.
  const checkInbox = (c: Context<HubEnv>, program: HostedProgram) =>
    kit.page(
      c,
      <MessagePage
        title="Check your inbox"
        programName={program.name}
        link={{ href: `/p/${program.slug}/portal`, label: 'Back to sign-in' }}
      >
        <p>If this address belongs to a member, we have emailed it a sign-in link. The link works once, within 15 minutes.</p>
        <p>Nothing arrived? Check your spam folder, or ask for a new link in a few minutes.</p>
      </MessagePage>,
    );

  const linkUnusable = (c: Context<HubEnv>, program: HostedProgram) =>
    kit.page(
      c,
      <MessagePage
        title="This sign-in link no longer works"
        programName={program.name}
        link={{ href: `/p/${program.slug}/portal`, label: 'Get a new link' }}
      >
        <p>Each sign-in link works once, within 15 minutes of being sent. This one has been used already or has expired.</p>
      </MessagePage>,
      410,
    );

  app.get('/p/:slug/portal', async (c) => {
    const program = await kit.program(c);
    if (program instanceof Response) return program;
    const memberId = await kit.sessions.memberId(c, program.id);
    const view = memberId ? await views.view(program.id, memberId) : undefined;
    if (!view) {
      // A member removed since signing in is signed out.
      if (memberId) kit.sessions.end(c, program.id);
      return signIn(c, program);
    }
    return kit.page(
      c,
      <PortalPage
        slug={program.slug}
        programName={program.name}
        shareMessage={program.settings.offer.headline ?? `Join me on ${program.name}`}
        csrfToken={kit.formTokens.issue(c, program.slug)}
        view={view}
      />,
    );
  });

  app.post('/p/:slug/login', async (c) => {
    const program = await kit.program(c);
    if (program instanceof Response) return program;
    const form = await kit.readForm(c, program.slug);
    if (form.kind === 'refused') return form.response;
    if (form.kind === 'robot') return checkInbox(c, program);
    const person = readPersonFields({ email: form.fields.email ?? '' }, { firstNameRequired: false });
    if (!person.ok) return signIn(c, program, { email: form.fields.email, error: person.errors.email });
    logins.requestLink(program, person.email);
    return checkInbox(c, program);
  });

  // Opening the emailed link shows a button; the token is used only when it is pressed (see PortalConfirmPage).
  app.get('/p/:slug/portal/login', async (c) => {
    const program = await kit.program(c);
    if (program instanceof Response) return program;
    const token = c.req.query('token') ?? '';
    if (!(await logins.isUsable(program.id, token))) return linkUnusable(c, program);
    return kit.page(
      c,
      <PortalConfirmPage slug={program.slug} programName={program.name} csrfToken={kit.formTokens.issue(c, program.slug)} token={token} />,
    );
  });

  app.post('/p/:slug/portal/login', async (c) => {
    const program = await kit.program(c);
    if (program instanceof Response) return program;
    const form = await kit.readForm(c, program.slug);
    if (form.kind === 'refused') return form.response;
    if (form.kind === 'robot') return signIn(c, program);
    const memberId = await logins.redeem(program.id, form.fields.token ?? '');
    if (!memberId) return linkUnusable(c, program);
    await kit.sessions.start(c, program.id, memberId);
    return c.redirect(`/p/${program.slug}/portal`, 303);
  });

  app.post('/p/:slug/logout', async (c) => {
    const program = await kit.program(c);
    if (program instanceof Response) return program;
    const form = await kit.readForm(c, program.slug);
    if (form.kind === 'refused') return form.response;
    kit.sessions.end(c, program.id);
    return c.redirect(`/p/${program.slug}/portal`, 303);
  });
}
