import { Field, type FieldErrors } from '../components/field.js';
import { SelectField } from '../components/select-field.js';
import type { FlatValues } from './program-form-values.js';

const RECIPIENTS = [
  { value: 'member', label: 'member (the referrer)' },
  { value: 'referral', label: 'referral (the referred person)' },
];
const AMOUNT_TYPES = [
  { value: 'fixed', label: 'fixed amount' },
  { value: 'percent', label: 'percent of the order amount' },
];
const KINDS = ['cash', 'gift_card', 'credit', 'coupon', 'points'];
const APPROVALS = [
  { value: 'auto', label: 'automatic' },
  { value: 'manual', label: 'manual (a person approves)' },
];

/**
 * One reward rule of the program form, every option of the API's rule schema, inputs named by
 * the rule's API path. The blank row (no id, nothing typed) is how a rule is added without
 * scripts; it is ignored when left empty. A saved rule has a "remove" box instead.
 */
export function RewardRuleFieldset(props: { index: number; values: FlatValues; errors: FieldErrors; blank?: boolean }) {
  const at = `rewardRules.${props.index}.`;
  const v = (f: string) => props.values[`${at}${f}`] ?? '';
  const id = v('id');
  const common = { errors: props.errors };
  return (
    <fieldset>
      <legend>{props.blank ? 'New reward rule' : `Reward rule ${props.index + 1}${v('name') ? `: ${v('name')}` : ''}`}</legend>
      {props.blank ? <p class="hint">Fill this in to add a rule; left empty, it is ignored.</p> : null}
      {id ? <input type="hidden" name={`${at}id`} value={id} /> : null}
      <div class="grid">
        <Field {...common} name={`${at}name`} label="Rule name" value={v('name')} />
        <Field
          {...common}
          name={`${at}trigger`}
          label="Trigger"
          value={v('trigger')}
          placeholder="conversion"
          hint='The business event that earns it: "conversion", "qualified", "approved" or your own like "subscription_renewed".'
        />
        <SelectField {...common} name={`${at}recipient`} label="Recipient" options={RECIPIENTS} value={v('recipient') || 'member'} />
        <SelectField {...common} name={`${at}kind`} label="Kind" options={KINDS} value={v('kind') || 'cash'} />
      </div>
      <div class="grid">
        <SelectField
          {...common}
          name={`${at}amount.type`}
          label="Calculated as"
          options={AMOUNT_TYPES}
          value={v('amount.type') || 'fixed'}
        />
        <Field
          {...common}
          name={`${at}amount.value`}
          label="Amount"
          value={v('amount.value')}
          inputmode="decimal"
          hint="In the program's currency, or a percent (1–100) of the order amount."
        />
        <Field
          {...common}
          name={`${at}amount.cap`}
          label="Cap"
          value={v('amount.cap')}
          inputmode="decimal"
          hint="Percent only: the most one reward pays."
        />
        <SelectField {...common} name={`${at}approval`} label="Approval" options={APPROVALS} value={v('approval') || 'auto'} />
      </div>
      <div class="grid">
        <Field
          {...common}
          name={`${at}hold`}
          label="Hold (days)"
          value={v('hold')}
          hint='Held this long before approval (or a duration like "36h"); empty: no hold.'
        />
        <Field
          {...common}
          name={`${at}limits.maxPerReferral`}
          label="Max per referral"
          value={v('limits.maxPerReferral')}
          inputmode="numeric"
        />
        <Field {...common} name={`${at}limits.maxPerMember`} label="Max per member" value={v('limits.maxPerMember')} inputmode="numeric" />
        <Field
          {...common}
          name={`${at}limits.window`}
          label="Window (days)"
          value={v('limits.window')}
          hint="Fires only for events this long after the referral (or a duration); empty: any time."
        />
      </div>
      {props.errors[`${at}id`] ? <p class="error">{props.errors[`${at}id`]}</p> : null}
      {props.blank ? null : (
        <label class="inline">
          <input type="checkbox" name={`${at}remove`} value="on" /> Remove this rule
        </label>
      )}
    </fieldset>
  );
}
