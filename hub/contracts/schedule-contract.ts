import { z } from 'zod';
import { mappingEntrySchema } from '../../connectors/mapping/mapping-entry-schema.js';
import { SCHEDULED_RESOURCES } from '../../schema/record-queries.js';
import { durationSchema } from './common.js';

// Payouts are an export resource but not a scheduled one; say why instead of only listing the options.
const resourceSchema = z
  .enum(SCHEDULED_RESOURCES, {
    error: (issue) =>
      issue.input === 'payouts'
        ? 'payouts cannot be scheduled: a schedule sends each record once, when it is created, before the payout is sent or paid; export them with GET /api/v1/exports/payouts.csv'
        : undefined,
  })
  .default('referrals');

const base = {
  name: z.string().min(1).max(200),
  connectorId: z.string().min(1).max(64),
  resource: resourceSchema,
  programIds: z.array(z.string().min(1).max(64)).max(100).default([]),
  every: durationSchema.optional().meta({ description: 'Interval, e.g. "24h"' }),
  cron: z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, 'five cron fields, e.g. "0 2 * * *"')
    .optional(),
  timezone: z.string().min(1).max(64).optional().meta({ description: 'IANA time zone for cron, e.g. "Europe/Paris"' }),
  format: z.literal('csv').default('csv'),
  fileName: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^/\\]+$/, 'a file name without folders')
    .default('{program}-{date}-{runId}.csv')
    .meta({ description: 'Template with {date}, {runId}, {program}' }),
  fields: z.array(mappingEntrySchema).min(1).max(200),
  delimiter: z.enum([',', ';', '\t', '|']).default(','),
  gzip: z.boolean().default(false),
  sendEmpty: z.boolean().default(false),
  startFrom: z.iso
    .datetime({ offset: true })
    .optional()
    .meta({ description: 'The first run sends records from this time on (default: everything)' }),
  paused: z.boolean().default(false),
};

const validZone = (tz: string | undefined) => {
  if (!tz) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const scheduleCreateSchema = z
  .object(base)
  .strict()
  .refine((s) => (s.every === undefined) !== (s.cron === undefined), { message: 'give exactly one of "every" or "cron"', path: ['every'] })
  .refine((s) => validZone(s.timezone), { message: 'unknown time zone', path: ['timezone'] })
  .meta({ id: 'ScheduleCreate' });

export const schedulePatchSchema = z
  .object({
    name: base.name.optional(),
    programIds: z.array(z.string().min(1).max(64)).max(100).optional(),
    every: durationSchema.optional(),
    cron: base.cron,
    timezone: base.timezone,
    fileName: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^/\\]+$/)
      .optional(),
    fields: z.array(mappingEntrySchema).min(1).max(200).optional(),
    delimiter: z.enum([',', ';', '\t', '|']).optional(),
    gzip: z.boolean().optional(),
    sendEmpty: z.boolean().optional(),
    paused: z.boolean().optional(),
  })
  .strict()
  // Switching between interval and cron is one field; both at once would leave the row ambiguous.
  .refine((s) => s.every === undefined || s.cron === undefined, { message: 'give at most one of "every" or "cron"', path: ['every'] })
  .refine((s) => validZone(s.timezone), { message: 'unknown time zone', path: ['timezone'] })
  .meta({ id: 'SchedulePatch' });

export const scheduleSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    connectorId: z.string(),
    resource: z.string(),
    programIds: z.array(z.string()),
    every: z.string().nullable(),
    cron: z.string().nullable(),
    timezone: z.string().nullable(),
    format: z.literal('csv'),
    fileName: z.string(),
    fields: z.array(z.unknown()),
    delimiter: z.string(),
    gzip: z.boolean(),
    sendEmpty: z.boolean(),
    startFrom: z.string().nullable(),
    paused: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Schedule' });

export const runSchema = z
  .object({
    id: z.string(),
    status: z.enum(['running', 'succeeded', 'failed', 'empty']),
    recordCount: z.number().nullable(),
    fileName: z.string(),
    attempts: z.number(),
    lastError: z.string().nullable(),
    location: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: 'ScheduleRun' });

export type ScheduleCreate = z.infer<typeof scheduleCreateSchema>;
export type SchedulePatch = z.infer<typeof schedulePatchSchema>;
