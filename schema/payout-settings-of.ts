import type { PayoutSettings } from './tables/programs.js';

/** A program's payout settings with every default filled in. */
export function payoutSettingsOf(program: { payouts: PayoutSettings | null }): Required<PayoutSettings> {
  const s = program.payouts ?? {};
  return { minimumAmount: s.minimumAmount ?? 0, autoPay: s.autoPay ?? true, dailyCapPerMember: s.dailyCapPerMember ?? null };
}
