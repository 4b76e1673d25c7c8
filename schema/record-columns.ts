import type { Resource } from './record-queries.js';

export const isoTimestamp = (col: string) => `to_char(${col} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** One field of a record as SQL over its table (alias `r`): typed as the public JSON has it, and as COPY writes it. */
export interface RecordColumn {
  value: string;
  text: string;
}
const col = (value: string, text = value): RecordColumn => ({ value, text });

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
    amount: col('r.amount::float8', 'trim_scale(r.amount)::text'),
    currency: col('r.currency'),
    orderId: col('r.order_id'),
    fraudFlags: col('r.fraud_flags', 'r.fraud_flags::text'),
    customFields: col('r.custom_fields', 'r.custom_fields::text'),
    createdAt: col(isoTimestamp('r.created_at')),
    updatedAt: col(isoTimestamp('r.updated_at')),
  },
  members: {
    id: col('r.id'),
    programId: col('r.program_id'),
    email: col('r.email'),
    firstName: col('r.first_name'),
    lastName: col('r.last_name'),
    externalId: col('r.external_id'),
    referralCode: col('r.referral_code'),
    customFields: col('r.custom_fields', 'r.custom_fields::text'),
    createdAt: col(isoTimestamp('r.created_at')),
    updatedAt: col(isoTimestamp('r.updated_at')),
  },
  rewards: {
    id: col('r.id'),
    programId: col('r.program_id'),
    ruleId: col('r.rule_id'),
    referralId: col('r.referral_id'),
    memberId: col('r.member_id'),
    recipient: col('r.recipient'),
    amount: col('r.amount::float8', 'trim_scale(r.amount)::text'),
    currency: col('r.currency'),
    kind: col('r.kind'),
    status: col('r.status'),
    trigger: col('r.trigger'),
    createdAt: col(isoTimestamp('r.created_at')),
    updatedAt: col(isoTimestamp('r.updated_at')),
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
    amount: col('r.amount::float8', 'trim_scale(r.amount)::text'),
    currency: col('r.currency'),
    rewardKind: col('r.reward_kind'),
    status: col('r.status'),
    holdReason: col('r.hold_reason'),
    // JSON, as the mapping path writes an array (["rwd_1","rwd_2"]), not PostgreSQL's {rwd_1,rwd_2}.
    rewardIds: col('r.reward_ids', 'to_json(r.reward_ids)::text'),
    providerReference: col('r.provider_reference'),
    failureReason: col('r.failure_reason'),
    failureCode: col('r.failure_code'),
    attempts: col('r.attempts'),
    sentAt: col(isoTimestamp('r.sent_at')),
    paidAt: col(isoTimestamp('r.paid_at')),
    createdAt: col(isoTimestamp('r.created_at')),
    updatedAt: col(isoTimestamp('r.updated_at')),
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
