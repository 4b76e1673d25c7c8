import type { FieldErrors } from './form-parts.js';
import { Field, FormAlert, FormGuards } from './form-parts.js';
import { PageLayout } from './page-layout.js';

/** The portal's front door: an email address in, a sign-in link out by email. */
export function PortalSignInPage(props: {
  slug: string;
  programName: string;
  csrfToken: string;
  values?: { email?: string };
  errors?: FieldErrors;
  alert?: string;
}) {
  return (
    <PageLayout title="Sign in" programName={props.programName}>
      <h1>Sign in to your referral portal</h1>
      <p>We email you a link that signs you in. It works once, for 15 minutes.</p>
      <form class="card" method="post" action={`/p/${props.slug}/login`} novalidate>
        <FormAlert message={props.alert} />
        <FormGuards csrfToken={props.csrfToken} />
        <Field
          name="email"
          label="Email"
          type="email"
          autocomplete="email"
          required
          value={props.values?.email}
          error={props.errors?.email}
        />
        <button type="submit">Email me a sign-in link</button>
      </form>
      <p>
        Not a member yet? <a href={`/p/${props.slug}/join`}>Get your referral link</a>.
      </p>
    </PageLayout>
  );
}

/**
 * Opening the emailed link lands here and a button signs in: mail scanners that open every link
 * in a message would otherwise use up the single-use token before the person clicks it.
 */
export function PortalConfirmPage(props: { slug: string; programName: string; csrfToken: string; token: string }) {
  return (
    <PageLayout title="Sign in" programName={props.programName}>
      <h1>Sign in to your referral portal</h1>
      <form class="card" method="post" action={`/p/${props.slug}/portal/login`}>
        <FormGuards csrfToken={props.csrfToken} />
        <input type="hidden" name="token" value={props.token} />
        <p>Continue to see your link, referrals and rewards.</p>
        <button type="submit">Sign in</button>
      </form>
    </PageLayout>
  );
}
