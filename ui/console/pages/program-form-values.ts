import type { z } from 'zod';
import type { programSchema } from '../../../hub/contracts/program-contract.js';
import type { FieldErrors } from '../components/field.js';
import { formText, type FormValues } from '../read-form.js';

type ProgramJson = z.infer<typeof programSchema>;

/**
 * The program form as flat strings keyed by the API's dotted paths (`rewardRules.0.amount.value`),
 * so a validation error's path is the name of the input it belongs to. Checkboxes are 'on' or ''.
 */
export type FlatValues = Record<string, string>;

/** The text inputs of a rule: a row with all of them empty is the blank "new rule" row. */
const RULE_TEXTS = [
  'name',
  'trigger',
  'amount.value',
  'amount.cap',
  'limits.maxPerReferral',
  'limits.maxPerMember',
  'limits.window',
  'hold',
];
const RULE_FIELDS = [...RULE_TEXTS, 'id', 'recipient', 'amount.type', 'kind', 'approval'];
const FORM_FIELDS = [
  'name',
  'slug',
  'landingUrl',
  'currency',
  'cookieDays',
  'status',
  'payouts.minimumAmount',
  'payouts.autoPay',
  'payouts.dailyCapPerMember',
  'share.allowedHostnames',
  'share.webConversions',
  'share.refParam',
  'share.attribution',
  'share.offer.headline',
  'share.offer.friendOffer',
  'share.offer.description',
  'share.emailConnectorId',
  'share.invitesPerMemberPerDay',
  'enrolment.on',
  'enrolment.sendWelcome',
  'enrolment.reminderAfter',
];
// Inputs holding a list (one hostname per line, event types separated by commas): an error on
// one item (`share.allowedHostnames.2`) is shown on the whole input.
const LIST_FIELDS = ['share.allowedHostnames', 'enrolment.on'];

/** Durations the form shows as a number of days when they are whole days ("14d" → "14"). */
const daysText = (duration: string | null | undefined) => (duration ? (/^(\d+)d$/.exec(duration)?.[1] ?? duration) : '');
/** A number alone means days; anything else is passed on as a duration ("36h") for the API to check. */
const durationOf = (text: string) => (/^\d+$/.test(text) ? `${text}d` : text);
const str = (v: number | string | null | undefined) => (v === null || v === undefined ? '' : String(v));

/** The values of a new program's form: the API's defaults, and one blank rule row. */
export function newProgramValues(): FlatValues {
  return {
    currency: 'USD',
    cookieDays: '30',
    'payouts.minimumAmount': '0',
    'payouts.autoPay': 'on',
    'share.refParam': 'ref',
    'share.attribution': 'last_click',
    'share.invitesPerMemberPerDay': '20',
    'enrolment.sendWelcome': 'on',
  };
}

/** The edit form of a saved program: its active rules (inactive ones stay inactive when saved). */
export function programValues(p: ProgramJson): FlatValues {
  const v: FlatValues = {
    name: p.name,
    slug: p.slug,
    landingUrl: p.landingUrl,
    currency: p.currency,
    cookieDays: str(p.cookieDays),
    status: p.status,
    'payouts.minimumAmount': str(p.payouts.minimumAmount),
    'payouts.autoPay': p.payouts.autoPay ? 'on' : '',
    'payouts.dailyCapPerMember': str(p.payouts.dailyCapPerMember),
    'share.allowedHostnames': p.share.allowedHostnames.join('\n'),
    'share.webConversions': p.share.webConversions ? 'on' : '',
    'share.refParam': p.share.refParam,
    'share.attribution': p.share.attribution,
    'share.offer.headline': p.share.offer.headline ?? '',
    'share.offer.friendOffer': p.share.offer.friendOffer ?? '',
    'share.offer.description': p.share.offer.description ?? '',
    'share.emailConnectorId': p.share.emailConnectorId ?? '',
    'share.invitesPerMemberPerDay': str(p.share.invitesPerMemberPerDay),
    'enrolment.on': p.enrolment.on.join(', '),
    'enrolment.sendWelcome': p.enrolment.sendWelcome ? 'on' : '',
    'enrolment.reminderAfter': daysText(p.enrolment.reminderAfter),
  };
  p.rewardRules
    .filter((r) => r.active)
    .forEach((r, i) => {
      const at = `rewardRules.${i}.`;
      Object.assign(v, {
        [`${at}id`]: r.id,
        [`${at}name`]: r.name,
        [`${at}trigger`]: r.trigger,
        [`${at}recipient`]: r.recipient,
        [`${at}amount.type`]: r.amount.type,
        [`${at}amount.value`]: str(r.amount.value),
        [`${at}amount.cap`]: r.amount.type === 'percent' ? str(r.amount.cap) : '',
        [`${at}kind`]: r.kind,
        [`${at}limits.maxPerReferral`]: str(r.limits.maxPerReferral),
        [`${at}limits.maxPerMember`]: str(r.limits.maxPerMember),
        [`${at}limits.window`]: daysText(r.limits.window),
        [`${at}hold`]: daysText(r.hold),
        [`${at}approval`]: r.approval,
      });
    });
  return v;
}

/** How many rule rows the values hold (`rewardRules.N.…`), not counting the blank row the form adds. */
export function ruleCount(values: FlatValues): number {
  let n = 0;
  for (const key of Object.keys(values)) {
    const m = /^rewardRules\.(\d+)\./.exec(key);
    if (m) n = Math.max(n, Number(m[1]) + 1);
  }
  return n;
}

/**
 * Reads a submitted program form: the values to show again (rules kept, in order, numbered
 * from 0, so error paths from the API name the right row), the API input built from them, and
 * the errors found before the API sees it (a number that is not one).
 */
export function readProgramForm(form: FormValues): { values: FlatValues; input: Record<string, unknown>; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const values: FlatValues = {};
  for (const f of FORM_FIELDS) values[f] = formText(form, f).trim();
  let rows = 0;
  for (const key of Object.keys(form)) {
    const m = /^rewardRules\.(\d+)\./.exec(key);
    if (m) rows = Math.max(rows, Number(m[1]) + 1);
  }
  let kept = 0;
  for (let i = 0; i < rows; i++) {
    const read = (f: string) => formText(form, `rewardRules.${i}.${f}`).trim();
    const id = read('id');
    if (formText(form, `rewardRules.${i}.remove`) === 'on') continue;
    if (!id && RULE_TEXTS.every((f) => read(f) === '')) continue;
    for (const f of RULE_FIELDS) values[`rewardRules.${kept}.${f}`] = read(f);
    kept++;
  }

  const num = (path: string): number | undefined => {
    const text = values[path] ?? '';
    if (text === '') return undefined;
    const n = Number(text);
    if (!Number.isFinite(n)) errors[path] = 'must be a number';
    return Number.isFinite(n) ? n : undefined;
  };
  const text = (path: string) => (values[path] ? values[path] : undefined);
  const on = (path: string) => values[path] === 'on';
  const compact = <T extends Record<string, unknown>>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

  const rewardRules = [];
  for (let i = 0; i < kept; i++) {
    const at = `rewardRules.${i}.`;
    const percent = values[`${at}amount.type`] === 'percent';
    if (!percent && values[`${at}amount.cap`]) errors[`${at}amount.cap`] = 'a cap applies only to percent amounts';
    rewardRules.push(
      compact({
        id: text(`${at}id`),
        name: values[`${at}name`],
        trigger: values[`${at}trigger`],
        recipient: values[`${at}recipient`],
        amount: compact({
          type: values[`${at}amount.type`],
          value: num(`${at}amount.value`),
          cap: percent ? num(`${at}amount.cap`) : undefined,
        }),
        kind: values[`${at}kind`],
        limits: compact({
          maxPerReferral: num(`${at}limits.maxPerReferral`),
          maxPerMember: num(`${at}limits.maxPerMember`),
          window: values[`${at}limits.window`] ? durationOf(values[`${at}limits.window`]!) : undefined,
        }),
        hold: values[`${at}hold`] ? durationOf(values[`${at}hold`]!) : undefined,
        approval: values[`${at}approval`],
      }),
    );
  }

  const list = (path: string, separator: RegExp) =>
    (values[path] ?? '')
      .split(separator)
      .map((s) => s.trim())
      .filter(Boolean);
  const input = compact({
    name: values.name,
    slug: text('slug'),
    landingUrl: values.landingUrl,
    currency: text('currency'),
    cookieDays: num('cookieDays'),
    status: text('status'),
    rewardRules,
    payouts: compact({
      minimumAmount: num('payouts.minimumAmount'),
      autoPay: on('payouts.autoPay'),
      dailyCapPerMember: num('payouts.dailyCapPerMember') ?? null,
    }),
    share: compact({
      allowedHostnames: list('share.allowedHostnames', /[\s,]+/),
      webConversions: on('share.webConversions'),
      refParam: text('share.refParam'),
      attribution: text('share.attribution'),
      // The offer is replaced as a whole, so a text emptied here is removed.
      offer: compact({
        headline: text('share.offer.headline'),
        friendOffer: text('share.offer.friendOffer'),
        description: text('share.offer.description'),
      }),
      emailConnectorId: text('share.emailConnectorId') ?? null,
      invitesPerMemberPerDay: num('share.invitesPerMemberPerDay'),
    }),
    enrolment: compact({
      on: list('enrolment.on', /[\s,]+/),
      sendWelcome: on('enrolment.sendWelcome'),
      reminderAfter: values['enrolment.reminderAfter'] ? durationOf(values['enrolment.reminderAfter']) : null,
    }),
  });
  return { values, input, errors };
}

/** Errors keyed by input name: an item of a list input (`enrolment.on.1`) reported on the list. */
export function errorsForInputs(fields: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, message] of Object.entries(fields)) {
    const list = LIST_FIELDS.find((f) => path.startsWith(`${f}.`));
    const key = list ?? path;
    // zod's wording for a field left empty reads like a type error; in a form it means "required".
    if (!(key in out)) out[key] = /^Invalid input: expected \w+, received undefined$/.test(message) ? 'required' : message;
  }
  return out;
}
