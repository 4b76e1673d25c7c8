import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { HostedPageKit } from '../http/hosted-page-kit.js';
import type { HubEnv } from '../http/hub-env.js';
import { readPersonFields } from '../pages/form-fields.js';
import type { FieldErrors } from '../pages/form-parts.js';
import { JoinPage, MemberLinkPage } from '../pages/join-page.js';
import { MessagePage } from '../pages/message-page.js';
import type { HostedProgram } from '../services/hosted-program-service.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createMemberService } from '../services/member-service.js';

/**
 * `GET /p/:slug/join`: sign-up with email and first name, answered with the member's link.
 * Idempotent per email: the same address gets the same member and link, and the page looks the
 * same either way, so it does not tell who is already a member.
 */
export function registerJoinPageRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps, kit: HostedPageKit) {
  const members = createMemberService(deps.db, deps.publicUrl);

  const joinPage = (
    c: Context<HubEnv>,
    program: HostedProgram,
    state: { values?: { email?: string; firstName?: string }; errors?: FieldErrors } = {},
  ) =>
    kit.page(
      c,
      <JoinPage
        slug={program.slug}
        programName={program.name}
        offer={program.settings.offer}
        csrfToken={kit.formTokens.issue(c, program.slug)}
        {...state}
      />,
      state.errors ? 422 : 200,
    );

  app.get('/p/:slug/join', async (c) => {
    const program = await kit.program(c);
    if (program instanceof Response) return program;
    if (program.status !== 'active') return kit.closed(c, program);
    kit.visitorId(c, { create: true });
    return joinPage(c, program);
  });

  app.post('/p/:slug/join', async (c) => {
    const program = await kit.program(c);
    if (program instanceof Response) return program;
    if (program.status !== 'active') return kit.closed(c, program);
    const form = await kit.readForm(c, program.slug);
    if (form.kind === 'refused') return form.response;
    if (form.kind === 'robot') {
      return kit.page(
        c,
        <MessagePage title="Thank you!" programName={program.name}>
          <p>We have your details.</p>
        </MessagePage>,
      );
    }
    const person = readPersonFields(form.fields, { firstNameRequired: true });
    if (!person.ok)
      return joinPage(c, program, { values: { email: form.fields.email, firstName: form.fields.first_name }, errors: person.errors });
    const { member } = await members.create(
      { id: 'hosted-page', name: 'hosted page', scopes: ['write'], programIds: [program.id] },
      {
        programId: program.id,
        email: person.email,
        firstName: person.firstName,
        // This browser is the member's own: a conversion from it later is a self-referral.
        visitorId: kit.visitorId(c, { create: true }),
        customFields: {},
      },
    );
    return kit.page(
      c,
      <MemberLinkPage slug={program.slug} programName={program.name} offer={program.settings.offer} url={member.referralUrl} />,
    );
  });
}
