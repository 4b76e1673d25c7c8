import type { Resource } from './record-queries.js';

export const isoTimestamp = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * One field of a record as SQL over its table (alias `r`): typed as the public JSON has it, and
 * as COPY writes it. `kind` says what the driver hands JavaScript for `value` (a string, a
 * number, parsed JSON, or a timestamp's ISO text with `raw` the timestamptz), so a mapping
 * compiled to SQL can treat it as the mapping engine would.
 */
export interface RecordColumn {
  value: string;
  text: string;
  kind: 'text' | 'number' | 'json' | 'timestamp';
  /** The column itself, for kinds whose `value` is derived from it (timestamps, arrays). */
  raw?: string;
}
const col = (value: string, text = value): RecordColumn => ({ value, text, kind: 'text' });
const num = (value: string, text: string): RecordColumn => ({ value, text, kind: 'number' });
const json = (value: string, text: string, raw = value): RecordColumn => ({ value, text, kind: 'json', raw });
const ts = (column: string): RecordColumn => ({ value: isoTimestamp(column), text: isoTimestamp(column), kind: 'timestamp', raw: column });

// The one list of each resource's plain fields, shared by the cursor reader (record-queries)
// and the COPY export, so a field added here is exported both ways alike.
export const RECORD_COLUMNS: Record<Resource, Record<string, RecordColumn>> = {
  referrals: {
    id: col('r.id'),
    programId: col('r.program_id'),
    memberId: col('r.member_id'),
    email: col('r.email'),
    firstName: col('r.first_name'),
    lastName: col('r.last_name'),
    phone: col('r.phone'),
    externalId: col('r.external_id'),
    status: col('r.status'),
    source: col('r.source'),
    amount: num('r.amount::float8', 'trim_scale(r.amount)::text'),
    currency: col('r.currency'),
    orderId: col('r.order_id'),
    fraudFlags: json('r.fraud_flags', 'r.fraud_flags::text'),
    customFields: json('r.custom_fields', 'r.custom_fields::text'),
    createdAt: ts('r.created_at'),
    updatedAt: ts('r.updated_at'),
  },
  members: {
    id: col('r.id'),
    programId: col('r.program_id'),
    email: col('r.email'),
    firstName: col('r.first_name'),
    lastName: col('r.last_name'),
    externalId: col('r.external_id'),
    referralCode: col('r.referral_code'),
    customFields: json('r.custom_fields', 'r.custom_fields::text'),
    createdAt: ts('r.created_at'),
    updatedAt: ts('r.updated_at'),
  },
  rewards: {
    id: col('r.id'),
    programId: col('r.program_id'),
    ruleId: col('r.rule_id'),
    referralId: col('r.referral_id'),
    memberId: col('r.member_id'),
    recipient: col('r.recipient'),
    amount: num('r.amount::float8', 'trim_scale(r.amount)::text'),
    currency: col('r.currency'),
    kind: col('r.kind'),
    status: col('r.status'),
    trigger: col('r.trigger'),
    createdAt: ts('r.created_at'),
    updatedAt: ts('r.updated_at'),
  },
  payouts: {
    id: col('r.id'),
    programId: col('r.program_id'),
    memberId: col('r.member_id'),
    recipientReferralId: col('r.recipient_referral_id'),
    // Who gets the money (see RECORD_TABLE for how it is found).
    recipientEmail: col('r.recipient_email'),
    paypalEmail: col('r.paypal_email'),
    connectorId: col('r.connector_id'),
    provider: col('r.provider'),
    amount: num('r.amount::float8', 'trim_scale(r.amount)::text'),
    currency: col('r.currency'),
    rewardKind: col('r.reward_kind'),
    status: col('r.status'),
    holdReason: col('r.hold_reason'),
    // JSON, as the mapping path writes an array (["rwd_1","rwd_2"]), not PostgreSQL's {rwd_1,rwd_2}.
    rewardIds: json('r.reward_ids', 'to_json(r.reward_ids)::text', 'to_jsonb(r.reward_ids)'),
    providerReference: col('r.provider_reference'),
    failureReason: col('r.failure_reason'),
    failureCode: col('r.failure_code'),
    attempts: num('r.attempts', 'r.attempts'),
    sentAt: ts('r.sent_at'),
    paidAt: ts('r.paid_at'),
    createdAt: ts('r.created_at'),
    updatedAt: ts('r.updated_at'),
  },
};

export const RECORD_TABLE: Record<Resource, string> = {
  referrals: 'referrals',
  members: 'members',
  rewards: 'rewards',
  // A payout's recipient as the payout connectors address them: the referred person for
  // `referral` rewards, else the member, whose PayPal address (if set) PayPal pays instead.
  // Left joins in a subquery PostgreSQL flattens: a query that reads neither address drops them
  // (unique keys), and one that does reads each address once per row, even when the formula
  // guard names its column three times (a correlated subquery there ran once per mention).
  payouts: `(select p.*,
      case when p.recipient_referral_id is null then pm.email else pr.email end as recipient_email,
      case when p.recipient_referral_id is null then pm.payout_details ->> 'paypalEmail' end as paypal_email
    from payouts p
    left join members pm on pm.id = p.member_id
    left join referrals pr on pr.id = p.recipient_referral_id)`,
};

// member_id is NOT NULL with a foreign key, so this join never drops a row; readers add it only
// when a member field is asked for, sparing PostgreSQL a hash join otherwise.
export const MEMBER_JOIN = 'join members m on m.id = r.member_id';

const memberBasics = {
  id: col('m.id'),
  email: col('m.email'),
  firstName: col('m.first_name'),
  lastName: col('m.last_name'),
  referralCode: col('m.referral_code'),
};
/**
 * The referrer's fields that ride along with a record as `member` (over MEMBER_JOIN, alias `m`);
 * members have none. The record query builds its `member` JSON from this list, and compiled
 * exports read the same columns, so both see the same fields.
 */
export const MEMBER_FIELDS: Record<Resource, Record<string, RecordColumn> | null> = {
  referrals: { ...memberBasics, externalId: col('m.external_id') },
  members: null,
  rewards: memberBasics,
  // Custom fields and payout details too: a payout paid by hand may need the member's bank details kept there.
  payouts: {
    ...memberBasics,
    externalId: col('m.external_id'),
    customFields: json('m.custom_fields', 'm.custom_fields::text'),
    payoutDetails: json('m.payout_details', 'm.payout_details::text'),
  },
};

// Fields people type into (names, emails, free text) and so may start like a spreadsheet
// formula; the others are generated ids, enums, numbers, JSON or timestamps.
export const USER_TEXT: ReadonlySet<string> = new Set([
  'email',
  'firstName',
  'lastName',
  'phone',
  'externalId',
  'orderId',
  'source',
  'member.email',
  'member.firstName',
  'member.lastName',
  'member.externalId',
  // A payout's addresses come from people; its reference may be typed by ops (mark-paid) and
  // its failure reason is a provider's text.
  'recipientEmail',
  'paypalEmail',
  'providerReference',
  'failureReason',
]);
