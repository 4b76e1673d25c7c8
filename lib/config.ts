import { z } from 'zod';
import { DURATION_PATTERN } from './duration.js';
import { isIpOrCidr } from './is-ip-or-cidr.js';

// "a, b,c" → ["a", "b", "c"]
const listFromEnv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

const boolFromEnv = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Every setting the hub and worker read, parsed once at start-up.
 * Unset DATABASE_URL / TEMPORAL_ADDRESS mean "start the embedded one" (only `npm start` does).
 */
export const configSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[\w.-]+:\d{1,5}$/, 'expected host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: boolFromEnv.optional(),
  TEMPORAL_TLS_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional(),
  TEMPORAL_TASK_QUEUE: z.string().min(1).optional(),
  // A prebuilt workflow bundle (bundleWorkflowCode output): a worker then starts in a second
  // instead of bundling workflows/ itself, which matters when workers are restarted often.
  TEMPORAL_WORKFLOW_BUNDLE: z.string().min(1).optional(),
  HUB_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HUB_HOST: z.string().min(1).default('0.0.0.0'),
  HUB_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  HUB_SECRET_KEY: z.string().min(1).optional(),
  HUB_BOOTSTRAP_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  // Create (or reset) this console admin at every start; for scripts, tests and first deployments.
  HUB_BOOTSTRAP_ADMIN_EMAIL: z.email().optional(),
  HUB_BOOTSTRAP_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  // A console session unused this long is signed out.
  HUB_SESSION_IDLE: z.string().regex(DURATION_PATTERN, 'a duration like "30m", "2h"').default('1h'),
  // Where the console links to Temporal's Web UI (set by `npm start` for its dev server).
  HUB_TEMPORAL_UI_URL: z.url({ protocol: /^https?$/ }).optional(),
  HUB_ALLOW_PRIVATE_TARGETS: boolFromEnv.default(false),
  HUB_TRUSTED_PROXIES: listFromEnv
    .refine((entries) => entries.every(isIpOrCidr), 'comma-separated IP addresses or CIDR blocks, e.g. "10.0.0.0/8,192.168.1.5"')
    .default([]),
  HUB_DATA_DIR: z.string().min(1).default('.data'),
  HUB_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  HUB_DB_POOL_SIZE: z.coerce.number().int().min(2).max(500).default(32),
  HUB_SYNC_BACKOFF: z
    .string()
    .regex(/^\d+(ms|s|m|h|d)(,\d+(ms|s|m|h|d))*$/, 'comma-separated durations like "5s,5m,30m"')
    .default('5s,1m,5m,30m,2h,5h,10h'),
  HUB_SYNC_DISABLE_AFTER: z.coerce.number().int().min(1).max(1000).default(12),
  // off: accept facts but do not hand them to Temporal (maintenance, a rule being fixed, a load
  // test of the edge alone). They wait in the event log, and the backlog is dispatched when a
  // hub runs with it on again. It is per process: every replica that could lead must say off.
  HUB_DISPATCH: z.enum(['on', 'off']).default('on'),
  HUB_DISPATCH_SWEEP_MS: z.coerce.number().int().min(50).default(2000),
  // /readyz answers 503 once the oldest referral event not yet handed to Temporal is older.
  HUB_READY_MAX_BACKLOG_AGE: z.string().regex(DURATION_PATTERN, 'a duration like "90s", "5m"').default('5m'),
  // A dispatch pass without progress for this long is restarted, and /readyz reports the dispatcher stalled.
  HUB_DISPATCH_STALL_AFTER: z.string().regex(DURATION_PATTERN, 'a duration like "30s", "2m"').default('60s'),
  // At start, how long a hub waits for PostgreSQL and a worker for Temporal to accept connections
  // (both starting at once, or a dependency restarting) before it gives up and exits.
  HUB_STARTUP_WAIT: z.string().regex(DURATION_PATTERN, 'a duration like "60s", "2m"').default('60s'),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  HUBSPOT_APP_SECRET: z.string().min(1).optional(),
  HUBSPOT_QUALIFIED_STAGES: listFromEnv.default([]),
  HUBSPOT_APPROVED_STAGES: listFromEnv.default([]),
  EMBEDDED_POSTGRES_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  TEMPORAL_DEV_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad value becomes one readable message naming each variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" (a common shell/compose habit).
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if ((parsed.data.HUB_BOOTSTRAP_ADMIN_EMAIL === undefined) !== (parsed.data.HUB_BOOTSTRAP_ADMIN_PASSWORD === undefined)) {
    throw new ConfigError(
      'Invalid configuration:\n  HUB_BOOTSTRAP_ADMIN_EMAIL and HUB_BOOTSTRAP_ADMIN_PASSWORD go together: set both or neither',
    );
  }
  return parsed.data;
}
