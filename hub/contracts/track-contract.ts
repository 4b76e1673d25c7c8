import { z } from 'zod';
import { amountSchema, currencySchema, emailSchema } from './common.js';

const key = z.string().max(200).meta({ description: "The program's publishable key (rh_pk_…); never a secret API key" });
const code = z.string().min(1).max(64).meta({ description: 'The referral code from the link (?ref=CODE)' });

export const trackClickSchema = z
  .object({
    key,
    code,
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional()
      .meta({ description: 'The page the visitor landed on (recorded with the click)' }),
    referrer: z.string().max(2000).optional().meta({ description: 'document.referrer; accepted and not stored' }),
  })
  .strict()
  .meta({ id: 'TrackClick' });

export const trackConversionSchema = z
  .object({
    key,
    code,
    email: emailSchema,
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
    phone: z.string().max(40).optional(),
    orderId: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .meta({ description: 'Makes the call idempotent: the same order id again answers the first referral' }),
    amount: amountSchema.optional().meta({ description: 'Kept as customFields.reportedAmount only; never drives rewards' }),
    currency: currencySchema.optional().meta({ description: 'Kept as customFields.reportedCurrency only' }),
  })
  .strict()
  .meta({ id: 'TrackConversion' });

export const trackJoinSchema = z
  .object({
    key,
    email: emailSchema,
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
  })
  .strict()
  .meta({ id: 'TrackJoin' });

export const trackedJoinSchema = z
  .object({ referralCode: z.string(), referralUrl: z.string() })
  .meta({ id: 'TrackedJoin', description: 'The member’s own share link (nothing else about them)' });

export const trackedClickSchema = z
  .object({ clickId: z.string(), cookieDays: z.number().meta({ description: 'How long the referral cookie should live' }) })
  .meta({ id: 'TrackedClick' });
export const trackedConversionSchema = z.object({ referralId: z.string() }).meta({ id: 'TrackedConversion' });

export type TrackClick = z.infer<typeof trackClickSchema>;
export type TrackConversion = z.infer<typeof trackConversionSchema>;
export type TrackJoin = z.infer<typeof trackJoinSchema>;
