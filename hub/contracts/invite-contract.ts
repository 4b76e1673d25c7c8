import { z } from 'zod';
import { SHARE_EMAIL_SKIP_REASONS } from '../../schema/tables/share-emails.js';

/** Most addresses one request may invite (the program's daily limit usually stops them sooner). */
export const MAX_INVITES_PER_REQUEST = 50;

export const inviteCreateSchema = z
  .object({
    emails: z
      .array(z.string().max(320))
      .min(1)
      .max(MAX_INVITES_PER_REQUEST)
      .meta({ description: 'Addresses to invite; one that is not an email is skipped as `invalid`, not refused' }),
    message: z.string().trim().max(1000).optional().meta({ description: 'A note from the member, quoted in the email as plain text' }),
  })
  .strict()
  .meta({ id: 'InviteCreate' });

export const inviteResultSchema = z
  .object({
    invited: z.array(z.string()).meta({ description: 'Lower-cased addresses accepted for sending' }),
    skipped: z.array(z.object({ email: z.string(), reason: z.enum(SHARE_EMAIL_SKIP_REASONS) })),
  })
  .meta({ id: 'InviteResult' });

export type InviteCreate = z.infer<typeof inviteCreateSchema>;
export type InviteSkipReason = (typeof SHARE_EMAIL_SKIP_REASONS)[number];
