import { z } from 'zod';
import { emailSchema } from './common.js';

export const customerEventCreateSchema = z
  .object({
    programId: z.string().min(1).max(64),
    email: emailSchema,
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
    type: z
      .string()
      .regex(/^[a-z][a-z0-9_.:-]{0,63}$/, 'a lower-case event type like "purchase"')
      .meta({ description: "What the customer did; enrols them when the program's `enrolment.on` lists it" }),
  })
  .strict()
  .meta({ id: 'CustomerEventCreate' });

export const customerEventResultSchema = z
  .object({
    memberId: z.string().nullable().meta({ description: 'The new or existing member; null when not a member and not enrolled' }),
    enrolled: z.boolean().meta({ description: 'true only when this event made them a member' }),
  })
  .meta({ id: 'CustomerEventResult' });

export type CustomerEventCreate = z.infer<typeof customerEventCreateSchema>;
