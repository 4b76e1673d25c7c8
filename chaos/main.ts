import { runSoak } from './run-soak.js';

// `npm run chaos`: a few minutes by default (CI); CHAOS_MINUTES=30 npm run chaos for a long soak.
const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

const ok = await runSoak({
  minutes: env('CHAOS_MINUTES', 3),
  seed: env('CHAOS_SEED', Math.floor(Math.random() * 1e9)),
  perSecond: env('CHAOS_RATE', 4),
  settleMinutes: env('CHAOS_SETTLE_MINUTES', 5),
  faultGap: [env('CHAOS_FAULT_GAP_MIN', 8), env('CHAOS_FAULT_GAP_MAX', 20)],
  scheduleEvery: process.env.CHAOS_SCHEDULE_EVERY ?? '20s',
});
process.exit(ok ? 0 : 1);
