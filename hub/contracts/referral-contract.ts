import { z } from 'zod';
import { amountSchema, currencySchema, customFieldsSchema, emailSchema, occurredAtSchema } from './common.js';

export const conversionCreateSchema = z
  .object({
    programId: z.string().min(1).max(64),
    referralCode: z.string().min(1).max(64).optional(),
    memberId: z.string().min(1).max(64).optional(),
    visitorId: z.string().min(1).max(100).optional(),
    email: emailSchema,
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
    phone: z.string().max(40).optional(),
    externalId: z.string().max(200).optional(),
    status: z.enum(['pending', 'qualified', 'approved']).default('pending'),
    amount: amountSchema.optional(),
    currency: currencySchema.optional(),
    orderId: z.string().max(200).optional(),
    source: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/)
      .default('api'),
    customFields: customFieldsSchema.default({}),
  })
  .strict()
  .refine((v) => v.referralCode || v.memberId || v.visitorId, {
    message: 'one of referralCode, memberId or visitorId is required',
    path: ['referralCode'],
  })
  .meta({ id: 'ConversionCreate' });

export const referralPatchSchema = z
  .object({
    status: z.enum(['pending', 'qualified', 'approved', 'denied']),
  })
  .strict()
  .meta({ id: 'ReferralPatch' });

export const referralSchema = z
  .object({
    id: z.string(),
    programId: z.string(),
    memberId: z.string(),
    email: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    phone: z.string().nullable(),
    externalId: z.string().nullable(),
    status: z.enum(['pending', 'qualified', 'approved', 'denied']),
    source: z.string(),
    amount: z.number().nullable(),
    currency: z.string().nullable(),
    orderId: z.string().nullable(),
    fraudFlags: z.array(z.string()),
    customFields: z.record(z.string(), z.unknown()),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
  })
  .meta({ id: 'Referral' });

export const businessEventCreateSchema = z
  .object({
    programId: z.string().min(1).max(64).optional(),
    referral: z
      .object({
        id: z.string().min(1).max(64).optional(),
        email: emailSchema.optional(),
        externalId: z.string().min(1).max(200).optional(),
      })
      .strict()
      .refine((r) => r.id || r.email || r.externalId, 'give the referral id, email or externalId'),
    type: z.string().regex(/^[a-z][a-z0-9_.:-]{0,63}$/, 'lower-case event name like "purchase" or "subscription_renewed"'),
    amount: amountSchema.optional(),
    currency: currencySchema.optional(),
    occurredAt: occurredAtSchema.optional(),
    idempotencyKey: z.string().min(1).max(255).optional(),
  })
  .strict()
  .meta({ id: 'BusinessEventCreate' });

export type ConversionCreate = z.infer<typeof conversionCreateSchema>;
export type BusinessEventCreate = z.infer<typeof businessEventCreateSchema>;
