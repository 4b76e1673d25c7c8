import type { InferSelectModel } from 'drizzle-orm';
import type { apiKeys, members, payouts, programs, referrals, rewardRules, rewards } from './tables/index.js';
import { payoutSettingsOf } from './payout-settings-of.js';
import { enrolmentSettingsOf, shareSettingsOf } from './share-settings-of.js';

export type ProgramRow = InferSelectModel<typeof programs>;
export type RuleRow = InferSelectModel<typeof rewardRules>;
export type MemberRow = InferSelectModel<typeof members>;
export type ReferralRow = InferSelectModel<typeof referrals>;
export type RewardRow = InferSelectModel<typeof rewards>;
export type ApiKeyRow = InferSelectModel<typeof apiKeys>;
export type PayoutRow = InferSelectModel<typeof payouts>;

/*
 * The public JSON of each object. API responses, event-log payloads, webhooks and
 * exports all use these, so one object never has two shapes.
 */

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function ruleJson(r: RuleRow) {
  return {
    id: r.id,
    name: r.name,
    trigger: r.trigger,
    recipient: r.recipient,
    amount: r.amount,
    kind: r.kind,
    limits: r.limits,
    hold: r.hold,
    approval: r.approval,
    active: r.active,
  };
}

export function programJson(p: ProgramRow, rules: RuleRow[]) {
  return {
    id: p.id,
    slug: p.slug,
    name: p.name,
    landingUrl: p.landingUrl,
    cookieDays: p.cookieDays,
    status: p.status,
    currency: p.currency,
    payouts: payoutSettingsOf(p),
    share: shareSettingsOf(p),
    enrolment: enrolmentSettingsOf(p),
    publishableKey: p.publishableKey,
    rewardRules: rules.map(ruleJson),
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

export function memberJson(m: MemberRow, publicUrl: string) {
  return {
    id: m.id,
    programId: m.programId,
    email: m.email,
    firstName: m.firstName,
    lastName: m.lastName,
    externalId: m.externalId,
    referralCode: m.referralCode,
    referralUrl: `${publicUrl}/r/${m.referralCode}`,
    customFields: m.customFields,
    payoutDetails: m.payoutDetails ?? null,
    createdAt: iso(m.createdAt),
    updatedAt: iso(m.updatedAt),
  };
}

export function referralJson(r: ReferralRow) {
  return {
    id: r.id,
    programId: r.programId,
    memberId: r.memberId,
    email: r.email,
    firstName: r.firstName,
    lastName: r.lastName,
    phone: r.phone,
    externalId: r.externalId,
    status: r.status,
    source: r.source,
    amount: r.amount,
    currency: r.currency,
    orderId: r.orderId,
    fraudFlags: r.fraudFlags,
    customFields: r.customFields,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

export function rewardJson(r: RewardRow) {
  return {
    id: r.id,
    programId: r.programId,
    ruleId: r.ruleId,
    referralId: r.referralId,
    recipient: r.recipient,
    memberId: r.memberId,
    amount: r.amount,
    currency: r.currency,
    kind: r.kind,
    status: r.status,
    trigger: r.trigger,
    businessEventId: r.businessEventId,
    holdUntil: iso(r.holdUntil),
    payoutProvider: r.payoutProvider,
    providerReference: r.providerReference,
    payoutId: r.payoutId,
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}

export function payoutJson(p: PayoutRow) {
  return {
    id: p.id,
    programId: p.programId,
    memberId: p.memberId,
    recipientReferralId: p.recipientReferralId,
    connectorId: p.connectorId,
    provider: p.provider,
    amount: p.amount,
    currency: p.currency,
    rewardKind: p.rewardKind,
    status: p.status,
    holdReason: p.holdReason,
    rewardIds: p.rewardIds,
    providerReference: p.providerReference,
    failureReason: p.failureReason,
    failureCode: p.failureCode,
    attempts: p.attempts,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
    sentAt: iso(p.sentAt),
    paidAt: iso(p.paidAt),
  };
}

export function apiKeyJson(k: ApiKeyRow) {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    scopes: k.scopes,
    programIds: k.programIds,
    lastUsedAt: iso(k.lastUsedAt),
    revokedAt: iso(k.revokedAt),
    createdAt: iso(k.createdAt),
  };
}
