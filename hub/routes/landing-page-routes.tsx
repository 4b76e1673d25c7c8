import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ApiError } from '../http/api-error.js';
import type { HostedPageKit } from '../http/hosted-page-kit.js';
import type { HubEnv, Principal } from '../http/hub-env.js';
import { readPersonFields } from '../pages/form-fields.js';
import type { FieldErrors } from '../pages/form-parts.js';
import { LandingPage } from '../pages/landing-page.js';
import { MessagePage } from '../pages/message-page.js';
import type { HostedProgram } from '../services/hosted-program-service.js';
import type { HubDeps } from '../services/hub-deps.js';
import { createReferralService } from '../services/referral-service.js';

/** Conversions from a hosted page act for that one program only. */
const pagePrincipal = (programId: string): Principal => ({
  id: 'hosted-page',
  name: 'hosted page',
  scopes: ['track'],
  programIds: [programId],
});

/**
 * `GET /p/:slug?ref=CODE`: the offer and who invited the visitor; its form records the
 * visitor as a conversion of that member (source `hosted`).
 */
export function registerLandingPageRoutes(app: OpenAPIHono<HubEnv>, deps: HubDeps, kit: HostedPageKit) {
  const referrals = createReferralService(deps.db, deps.sql, deps.dispatcher);

  /** The code in the URL (or the form), else the one /r/:code remembered, if it names a member of this program. */
  async function referrerOf(c: Context<HubEnv>, program: HostedProgram, given: string | undefined) {
    return (await kit.programs.referrer(program.id, given)) ?? (await kit.programs.referrer(program.id, kit.rememberedCode(c)));
  }

  async function landing(
    c: Context<HubEnv>,
    program: HostedProgram,
    referrer: { code: string; firstName: string | null } | undefined,
    state: { values?: { email?: string; firstName?: string }; errors?: FieldErrors; alert?: string } = {},
  ) {
    return kit.page(
      c,
      <LandingPage
        slug={program.slug}
        programName={program.name}
        offer={program.settings.offer}
        referrerName={referrer?.firstName ?? undefined}
        code={referrer?.code}
        csrfToken={kit.formTokens.issue(c, program.slug)}
        {...state}
      />,
      state.errors || state.alert ? 422 : 200,
    );
  }

  const thanks = (c: Context<HubEnv>, program: HostedProgram, firstName?: string) =>
    kit.page(
      c,
      <MessagePage title={firstName ? `Thank you, ${firstName}!` : 'Thank you!'} programName={program.name}>
        <p>
          {program.settings.offer.friendOffer ? `We have your details: ${program.settings.offer.friendOffer}.` : 'We have your details.'}
        </p>
        <p>We will be in touch by email.</p>
      </MessagePage>,
    );

  app.get('/p/:slug', async (c) => {
    const program = await kit.program(c);
    if (program instanceof Response) return program;
    if (program.status !== 'active') return kit.closed(c, program);
    kit.visitorId(c, { create: true });
    const given = c.req.query(program.settings.refParam) ?? c.req.query('ref');
    return landing(c, program, await referrerOf(c, program, given));
  });

  app.post('/p/:slug', async (c) => {
    const program = await kit.program(c);
    if (program instanceof Response) return program;
    if (program.status !== 'active') return kit.closed(c, program);
    const form = await kit.readForm(c, program.slug);
    if (form.kind === 'refused') return form.response;
    if (form.kind === 'robot') return thanks(c, program);
    const referrer = await referrerOf(c, program, form.fields.ref);
    const values = { email: form.fields.email, firstName: form.fields.first_name };
    const person = readPersonFields(form.fields, { firstNameRequired: false });
    if (!person.ok) return landing(c, program, referrer, { values, errors: person.errors });
    const visitorId = kit.visitorId(c, { create: false });
    if (!referrer && !visitorId) {
      return landing(c, program, undefined, {
        values,
        alert: 'We could not tell who invited you. Open the link your friend sent you and try again.',
      });
    }
    try {
      await referrals.convert(pagePrincipal(program.id), {
        programId: program.id,
        // Without a code, the visitor's latest click on a member's link inside the cookie window attributes it.
        referralCode: referrer?.code,
        visitorId,
        email: person.email,
        firstName: person.firstName,
        status: 'pending',
        source: 'hosted',
        customFields: {},
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'self_referral') {
        return landing(c, program, referrer, { values, alert: 'This is your own invitation: share it with friends instead.' });
      }
      if (err instanceof ApiError && err.code === 'validation_failed') {
        return landing(c, program, referrer, {
          values,
          alert: 'We could not tell who invited you. Open the link your friend sent you and try again.',
        });
      }
      throw err;
    }
    return thanks(c, program, person.firstName);
  });
}
