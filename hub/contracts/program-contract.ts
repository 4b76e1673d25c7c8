import { z } from 'zod';
import { currencySchema, durationSchema, positiveAmountSchema } from './common.js';

// Business event types that act on rewards instead of earning them.
const RESERVED_TRIGGERS = ['refund', 'subscription_cancelled'];

export const ruleAmountSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('fixed'), value: positiveAmountSchema }).strict(),
  z.object({ type: z.literal('percent'), value: z.number().positive().max(100), cap: positiveAmountSchema.optional() }).strict(),
]);

export const rewardRuleInputSchema = z
  .object({
    id: z.string().max(64).optional().meta({ description: 'Existing rule to update (PATCH); omit to add a rule' }),
    name: z.string().min(1).max(200),
    trigger: z
      .string()
      .regex(/^[a-z][a-z0-9_.:-]{0,63}$/, 'lower-case event name like "conversion" or "subscription_renewed"')
      .refine((t) => !RESERVED_TRIGGERS.includes(t), '"refund" and "subscription_cancelled" cancel rewards; they cannot trigger one'),
    recipient: z.enum(['member', 'referral']),
    amount: ruleAmountSchema,
    kind: z.enum(['cash', 'gift_card', 'credit', 'coupon', 'points']),
    limits: z
      .object({
        maxPerReferral: z.number().int().min(1).max(10_000).optional(),
        maxPerMember: z.number().int().min(1).max(1_000_000).optional(),
        window: durationSchema.optional(),
      })
      .strict()
      .default({}),
    hold: durationSchema.optional(),
    approval: z.enum(['auto', 'manual']).default('auto'),
  })
  .strict()
  .meta({ id: 'RewardRuleInput' });

export const payoutSettingsInputSchema = z
  .object({
    minimumAmount: z
      .number()
      .min(0)
      .max(1_000_000)
      .optional()
      .meta({ description: "A member's approved unpaid total must reach this before a payout is made; 0 (default) pays each reward" }),
    autoPay: z
      .boolean()
      .optional()
      .meta({ description: 'false keeps new payouts pending until POST /api/v1/payouts/:id/send (default true)' }),
    dailyCapPerMember: positiveAmountSchema
      .nullable()
      .optional()
      .meta({ description: 'Most one member is paid per currency in 24 hours; a payout above it waits for a person to send it' }),
  })
  .strict()
  .meta({ id: 'PayoutSettingsInput' });

export const payoutSettingsSchema = z
  .object({ minimumAmount: z.number(), autoPay: z.boolean(), dailyCapPerMember: z.number().nullable() })
  .meta({ id: 'PayoutSettings' });

// `shop.example` or `*.shop.example` (its subdomains); lower case, no scheme, port or path.
const HOSTNAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const shareSettingsInputSchema = z
  .object({
    allowedHostnames: z
      .array(z.string().toLowerCase().regex(HOSTNAME, 'a hostname like "shop.example" or "*.shop.example"'))
      .max(50)
      .optional()
      .meta({ description: 'Pages on these hostnames may call the public tracking endpoints (exact, or *.domain for subdomains)' }),
    webConversions: z.boolean().optional().meta({ description: 'Let browsers record conversions (default false)' }),
    refParam: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]{0,31}$/, 'a query parameter name like "ref"')
      .optional()
      .meta({ description: 'Query parameter carrying the referral code (default "ref")' }),
    attribution: z.enum(['last_click', 'first_click']).optional(),
    offer: z
      .object({
        headline: z.string().max(200).optional(),
        friendOffer: z.string().max(200).optional(),
        description: z.string().max(2000).optional(),
      })
      .strict()
      .optional(),
    emailConnectorId: z
      .string()
      .max(64)
      .nullable()
      .optional()
      .meta({ description: 'The email connector invites and sign-in links go through' }),
    invitesPerMemberPerDay: z.number().int().min(1).max(1000).optional(),
  })
  .strict()
  .meta({ id: 'ShareSettingsInput' });

export const enrolmentSettingsInputSchema = z
  .object({
    on: z
      .array(z.string().regex(/^[a-z][a-z0-9_.:-]{0,63}$/, 'a lower-case event type like "purchase"'))
      .max(20)
      .optional()
      .meta({ description: 'Customer event types that enrol someone who is not yet a member' }),
    sendWelcome: z.boolean().optional(),
    reminderAfter: durationSchema
      .nullable()
      .optional()
      .meta({ description: "One reminder this long after the welcome if the member's link got no click" }),
  })
  .strict()
  .meta({ id: 'EnrolmentSettingsInput' });

export const shareSettingsSchema = z
  .object({
    allowedHostnames: z.array(z.string()),
    webConversions: z.boolean(),
    refParam: z.string(),
    attribution: z.enum(['last_click', 'first_click']),
    offer: z.object({ headline: z.string().optional(), friendOffer: z.string().optional(), description: z.string().optional() }),
    emailConnectorId: z.string().nullable(),
    invitesPerMemberPerDay: z.number(),
  })
  .meta({ id: 'ShareSettings' });

export const enrolmentSettingsSchema = z
  .object({ on: z.array(z.string()), sendWelcome: z.boolean(), reminderAfter: z.string().nullable() })
  .meta({ id: 'EnrolmentSettings' });

export const programCreateSchema = z
  .object({
    name: z.string().min(1).max(200),
    slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes'),
    landingUrl: z.url({ protocol: /^https?$/ }).max(2000),
    currency: currencySchema.default('USD'),
    cookieDays: z.number().int().min(1).max(365).default(30),
    rewardRules: z.array(rewardRuleInputSchema).max(50).default([]),
    payouts: payoutSettingsInputSchema.optional(),
    share: shareSettingsInputSchema.optional(),
    enrolment: enrolmentSettingsInputSchema.optional(),
  })
  .strict()
  .meta({ id: 'ProgramCreate' });

export const programPatchSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    landingUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    currency: currencySchema.optional(),
    cookieDays: z.number().int().min(1).max(365).optional(),
    status: z.enum(['active', 'paused', 'archived']).optional(),
    payouts: payoutSettingsInputSchema.optional().meta({ description: 'Merged into the current payout settings' }),
    share: shareSettingsInputSchema.optional().meta({ description: 'Merged into the current share settings' }),
    enrolment: enrolmentSettingsInputSchema.optional().meta({ description: 'Merged into the current enrolment settings' }),
    rewardRules: z
      .array(rewardRuleInputSchema)
      .max(50)
      .optional()
      .meta({ description: 'The full rule set: rules with an id are updated, new ones added, missing ones deactivated' }),
  })
  .strict()
  .meta({ id: 'ProgramPatch' });

export const rewardRuleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    trigger: z.string(),
    recipient: z.enum(['member', 'referral']),
    amount: ruleAmountSchema,
    kind: z.string(),
    limits: z.object({ maxPerReferral: z.number().optional(), maxPerMember: z.number().optional(), window: z.string().optional() }),
    hold: z.string().nullable(),
    approval: z.enum(['auto', 'manual']),
    active: z.boolean(),
  })
  .meta({ id: 'RewardRule' });

export const programSchema = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    landingUrl: z.string(),
    cookieDays: z.number(),
    status: z.enum(['active', 'paused', 'archived']),
    currency: z.string(),
    payouts: payoutSettingsSchema,
    share: shareSettingsSchema,
    enrolment: enrolmentSettingsSchema,
    publishableKey: z
      .string()
      .nullable()
      .meta({ description: 'rh_pk_…: names the program to referral.js and the public tracking endpoints; reads nothing' }),
    rewardRules: z.array(rewardRuleSchema),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'Program' });

export type ProgramCreate = z.infer<typeof programCreateSchema>;
export type ProgramPatch = z.infer<typeof programPatchSchema>;
export type RewardRuleInput = z.infer<typeof rewardRuleInputSchema>;
