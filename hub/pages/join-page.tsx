import type { FieldErrors } from './form-parts.js';
import { Field, FormAlert, FormGuards } from './form-parts.js';
import type { Offer } from './landing-page.js';
import { PageLayout } from './page-layout.js';
import { SharePanel } from './share-panel.js';

/** Sign-up for members: email and first name in, their link out. */
export function JoinPage(props: {
  slug: string;
  programName: string;
  offer: Offer;
  csrfToken: string;
  values?: { email?: string; firstName?: string };
  errors?: FieldErrors;
  alert?: string;
}) {
  const errors = props.errors ?? {};
  return (
    <PageLayout title="Get your referral link" programName={props.programName}>
      <h1>{props.offer.headline ?? 'Get your referral link'}</h1>
      <p>Share your link with friends; when they join, you both benefit.</p>
      <form class="card" method="post" action={`/p/${props.slug}/join`} novalidate>
        <FormAlert message={props.alert} />
        <FormGuards csrfToken={props.csrfToken} />
        <Field name="email" label="Email" type="email" autocomplete="email" required value={props.values?.email} error={errors.email} />
        <Field
          name="first_name"
          label="First name"
          type="text"
          autocomplete="given-name"
          required
          value={props.values?.firstName}
          error={errors.first_name}
          hint="Shown to the friends you invite."
        />
        <button type="submit">Get my link</button>
      </form>
      <p>
        Already a member? <a href={`/p/${props.slug}/portal`}>Sign in to see your referrals</a>.
      </p>
    </PageLayout>
  );
}

/** After sign-up: the member's link with copy and share buttons. */
export function MemberLinkPage(props: { slug: string; programName: string; offer: Offer; url: string }) {
  return (
    <PageLayout title="Your referral link" programName={props.programName} copyScript>
      <h1>Your referral link is ready</h1>
      <div class="card">
        <SharePanel url={props.url} message={props.offer.headline ?? `Join me on ${props.programName}`} />
      </div>
      <p>
        <a href={`/p/${props.slug}/portal`}>See your clicks, referrals and rewards</a> (we email you a sign-in link).
      </p>
    </PageLayout>
  );
}
