import type { Hono } from 'hono';
import type { ConsoleDeps } from '../console-deps.js';
import type { ConsoleEnv } from '../console-env.js';
import { registerMemberDetailPage } from './member-detail-page.js';
import { registerMemberListPage } from './member-pages.js';
import { registerPayoutDetailPage } from './payout-detail-page.js';
import { registerPayoutListPage } from './payout-pages.js';
import { registerReferralDetailPage } from './referral-detail-page.js';
import { registerReferralListPage } from './referral-pages.js';
import { registerRewardPages } from './reward-pages.js';
import { createPeopleServices } from './people/people-services.js';

/** Members, referrals, the reward approval queue and payouts: the pages about people and money. */
export function registerPeoplePages(ui: Hono<ConsoleEnv>, deps: ConsoleDeps) {
  const s = createPeopleServices(deps);
  registerMemberListPage(ui, s);
  registerMemberDetailPage(ui, s);
  registerReferralListPage(ui, s);
  registerReferralDetailPage(ui, s);
  registerRewardPages(ui, s);
  registerPayoutListPage(ui, s);
  registerPayoutDetailPage(ui, s);
}
