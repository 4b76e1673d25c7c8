import type { FieldErrors } from './form-parts.js';
import { Field, FormAlert, FormGuards } from './form-parts.js';
import { PageLayout } from './page-layout.js';

export interface Offer {
  headline?: string;
  friendOffer?: string;
  description?: string;
}

/**
 * What a friend sees after following a member's link: who invited them, the offer, and a form
 * that records them as that member's referral. The code rides along in a hidden field.
 */
export function LandingPage(props: {
  slug: string;
  programName: string;
  offer: Offer;
  referrerName?: string;
  code?: string;
  csrfToken: string;
  values?: { email?: string; firstName?: string };
  errors?: FieldErrors;
  alert?: string;
}) {
  const errors = props.errors ?? {};
  return (
    <PageLayout title={props.offer.headline ?? 'You are invited'} programName={props.programName}>
      {props.code ? <p class="muted">{props.referrerName ? `${props.referrerName} invited you` : 'A friend invited you'}</p> : null}
      <h1>{props.offer.headline ?? `Join ${props.programName}`}</h1>
      {props.offer.friendOffer ? <p class="offer">{props.offer.friendOffer}</p> : null}
      {props.offer.description ? <p>{props.offer.description}</p> : null}
      <form class="card" method="post" action={`/p/${props.slug}`} novalidate>
        <FormAlert message={props.alert} />
        <FormGuards csrfToken={props.csrfToken} />
        {props.code ? <input type="hidden" name="ref" value={props.code} /> : null}
        <Field name="email" label="Email" type="email" autocomplete="email" required value={props.values?.email} error={errors.email} />
        <Field
          name="first_name"
          label="First name (optional)"
          type="text"
          autocomplete="given-name"
          value={props.values?.firstName}
          error={errors.first_name}
        />
        <button type="submit">{props.offer.friendOffer ? 'Claim my offer' : 'Continue'}</button>
      </form>
    </PageLayout>
  );
}
