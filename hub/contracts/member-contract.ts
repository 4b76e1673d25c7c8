import { z } from 'zod';
import { customFieldsSchema, emailSchema } from './common.js';

export const payoutDetailsSchema = z
  .object({
    paypalEmail: emailSchema.optional().meta({ description: "PayPal address to pay instead of the member's email" }),
  })
  .strict()
  .meta({ id: 'PayoutDetails', description: "Where the member is paid; without it the member's email is the recipient" });

export const memberCreateSchema = z
  .object({
    programId: z.string().min(1).max(64),
    email: emailSchema,
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
    externalId: z.string().max(200).optional(),
    visitorId: z
      .string()
      .max(100)
      .optional()
      .meta({ description: "The member's own browser id (referral.js); conversions from it are self-referrals" }),
    customFields: customFieldsSchema.default({}),
    payoutDetails: payoutDetailsSchema.optional(),
  })
  .strict()
  .meta({ id: 'MemberCreate' });

export const memberPatchSchema = z
  .object({
    email: emailSchema.optional(),
    firstName: z.string().max(100).nullable().optional(),
    lastName: z.string().max(100).nullable().optional(),
    externalId: z.string().max(200).nullable().optional(),
    customFields: customFieldsSchema.optional(),
    payoutDetails: payoutDetailsSchema.nullable().optional(),
  })
  .strict()
  .meta({ id: 'MemberPatch' });

export const memberSchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    externalId: z.string().nullable(),
    referralCode: z.string(),
    referralUrl: z.string(),
    customFields: z.record(z.string(), z.unknown()),
    payoutDetails: z.object({ paypalEmail: z.string().optional() }).nullable(),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'Member' });

export type MemberCreate = z.infer<typeof memberCreateSchema>;
export type MemberPatch = z.infer<typeof memberPatchSchema>;
