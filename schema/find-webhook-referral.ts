import type { Sql } from './db.js';

export type WebhookReferral = { referral: { id: string; programId: string } } | { reason: string };

/**
 * The referral a provider's event is about, in any program: by our id when the sender carried
 * it (Stripe metadata `referral_id`), else by email — but only when exactly one program has a
 * referral with that email, since guessing between programs would reward the wrong one.
 */
export async function findWebhookReferral(sql: Sql, by: { referralId?: string; email?: string }): Promise<WebhookReferral> {
  if (by.referralId) {
    const [row] = await sql<{ id: string; program_id: string }[]>`select id, program_id from referrals where id = ${by.referralId}`;
    if (row) return { referral: { id: row.id, programId: row.program_id } };
    if (!by.email) return { reason: 'no referral has the given referral id' };
  }
  if (!by.email) return { reason: 'the event names no referral id and no email' };
  // One probe per program keeps the (program_id, lower(email)) unique index in use.
  const rows = await sql<{ id: string; program_id: string }[]>`
    select r.id, r.program_id from programs p
    join lateral (select id, program_id from referrals where program_id = p.id and lower(email) = lower(${by.email})) r on true
    limit 2`;
  if (rows.length === 0) return { reason: 'no referral has this email' };
  if (rows.length > 1) return { reason: 'referrals in several programs have this email' };
  return { referral: { id: rows[0]!.id, programId: rows[0]!.program_id } };
}
