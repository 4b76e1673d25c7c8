import type { Context } from 'hono';
import { Field, type FieldErrors } from '../components/field.js';
import { FormAlert } from '../components/form-alert.js';
import { SelectField } from '../components/select-field.js';
import { CsrfField } from '../console-layout.js';
import type { ConsoleEnv } from '../console-env.js';
import { ruleCount, type FlatValues } from './program-form-values.js';
import { RewardRuleFieldset } from './reward-rule-fieldset.js';
import { FieldNotes, fieldIds } from '../components/field-notes.js';

/** A labelled checkbox posting 'on' when ticked (so unticked means false). */
function Check(props: { name: string; label: string; values: FlatValues; hint?: string }) {
  const id = `f-${props.name.replace(/[^\w-]/g, '-')}`;
  return (
    <div>
      <label class="inline" for={id}>
        <input id={id} type="checkbox" name={props.name} value="on" checked={props.values[props.name] === 'on'} /> {props.label}
      </label>
      {props.hint ? <p class="hint">{props.hint}</p> : null}
    </div>
  );
}

/** A labelled textarea with its hint and error, like Field. */
function TextArea(props: { name: string; label: string; values: FlatValues; errors: FieldErrors; hint?: string }) {
  const error = props.errors[props.name];
  const { id, describedBy: described } = fieldIds(props.name, props.hint, error);
  return (
    <div>
      <label for={id}>{props.label}</label>
      <textarea id={id} name={props.name} aria-invalid={error ? 'true' : undefined} aria-describedby={described || undefined}>
        {props.values[props.name] ?? ''}
      </textarea>
      <FieldNotes id={id} hint={props.hint} error={error} />
    </div>
  );
}

/**
 * The program form for creating (`mode: 'create'`, with the slug) and editing (with the status):
 * general settings, reward rules (each saved one, then a blank row to add one), share and
 * payout settings. Inputs carry the API's field paths, so its messages land next to them.
 */
export function ProgramForm(props: {
  c: Context<ConsoleEnv>;
  mode: 'create' | 'edit';
  action: string;
  values: FlatValues;
  errors?: FieldErrors;
  message?: string;
  emailConnectors: { id: string; name: string }[];
}) {
  const { values } = props;
  const errors = props.errors ?? {};
  const common = { errors };
  const v = (name: string) => values[name] ?? '';
  const rules = ruleCount(values);
  return (
    <form method="post" action={props.action} novalidate>
      <CsrfField c={props.c} />
      <FormAlert message={props.message} />
      <section>
        <h2>General</h2>
        <div class="grid">
          <Field {...common} name="name" label="Name" value={v('name')} required />
          {props.mode === 'create' ? (
            <Field
              {...common}
              name="slug"
              label="Slug"
              value={v('slug')}
              required
              hint="Lower-case letters, digits and dashes; in hosted page addresses (/p/slug)."
            />
          ) : (
            <SelectField {...common} name="status" label="Status" options={['active', 'paused', 'archived']} value={v('status')} />
          )}
          <Field
            {...common}
            name="landingUrl"
            label="Landing URL"
            type="url"
            value={v('landingUrl')}
            required
            hint="Where referral links lead."
          />
          <Field {...common} name="currency" label="Currency" value={v('currency')} hint='An ISO 4217 code like "USD".' />
          <Field
            {...common}
            name="cookieDays"
            label="Cookie days"
            value={v('cookieDays')}
            inputmode="numeric"
            hint="How long a click is remembered (1–365)."
          />
        </div>
      </section>

      <section>
        <h2>Reward rules</h2>
        {errors.rewardRules ? <p class="error">{errors.rewardRules}</p> : null}
        {Array.from({ length: rules }, (_, i) => (
          <RewardRuleFieldset index={i} values={values} errors={errors} />
        ))}
        <RewardRuleFieldset index={rules} values={values} errors={errors} blank />
      </section>

      <section>
        <h2>Sharing</h2>
        <div class="grid">
          <TextArea
            {...common}
            values={values}
            name="share.allowedHostnames"
            label="Allowed hostnames"
            hint='One per line: pages on these hosts may use referral.js ("shop.example", "*.shop.example").'
          />
          <div>
            <Check
              values={values}
              name="share.webConversions"
              label="Browsers may record conversions"
              hint="Off: only the API and hosted pages record them."
            />
            <SelectField
              {...common}
              name="share.attribution"
              label="Attribution"
              options={[
                { value: 'last_click', label: 'last click' },
                { value: 'first_click', label: 'first click' },
              ]}
              value={v('share.attribution')}
            />
            <Field
              {...common}
              name="share.refParam"
              label="Referral parameter"
              value={v('share.refParam')}
              hint='The query parameter with the code (default "ref").'
            />
          </div>
        </div>
        <div class="grid">
          <Field
            {...common}
            name="share.offer.headline"
            label="Offer headline"
            value={v('share.offer.headline')}
            placeholder="Give $10, get $20"
          />
          <Field
            {...common}
            name="share.offer.friendOffer"
            label="Friend offer"
            value={v('share.offer.friendOffer')}
            placeholder="$10 off your first order"
          />
        </div>
        <TextArea
          {...common}
          values={values}
          name="share.offer.description"
          label="Offer description"
          hint="Shown on the hosted landing and join pages."
        />
        <div class="grid">
          <SelectField
            {...common}
            name="share.emailConnectorId"
            label="Email connector"
            empty="none (no invites or sign-in emails)"
            options={props.emailConnectors.map((c) => ({ value: c.id, label: `${c.name} (${c.id})` }))}
            value={v('share.emailConnectorId')}
          />
          <Field
            {...common}
            name="share.invitesPerMemberPerDay"
            label="Invites per member per day"
            value={v('share.invitesPerMemberPerDay')}
            inputmode="numeric"
          />
        </div>
        <h3>Enrolment</h3>
        <div class="grid">
          <Field
            {...common}
            name="enrolment.on"
            label="Enrol customers on"
            value={v('enrolment.on')}
            hint='Customer event types, comma separated (e.g. "purchase"); empty: nobody is enrolled by events.'
          />
          <Field
            {...common}
            name="enrolment.reminderAfter"
            label="Reminder after (days)"
            value={v('enrolment.reminderAfter')}
            hint="One reminder if the member's link got no click; empty: none."
          />
          <Check values={values} name="enrolment.sendWelcome" label="Send a welcome email" />
        </div>
      </section>

      <section>
        <h2>Payouts</h2>
        <div class="grid">
          <Field
            {...common}
            name="payouts.minimumAmount"
            label="Minimum payout"
            value={v('payouts.minimumAmount')}
            inputmode="decimal"
            hint="A member's approved total must reach this before a payout; 0 pays each reward."
          />
          <Field
            {...common}
            name="payouts.dailyCapPerMember"
            label="Daily cap per member"
            value={v('payouts.dailyCapPerMember')}
            inputmode="decimal"
            hint="A payout above it waits for a person; empty: no cap."
          />
          <Check values={values} name="payouts.autoPay" label="Pay automatically" hint="Off: payouts wait for someone to send them." />
        </div>
      </section>

      <button type="submit">{props.mode === 'create' ? 'Create program' : 'Save'}</button>
    </form>
  );
}
