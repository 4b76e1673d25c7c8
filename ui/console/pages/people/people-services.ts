import { createBusinessEventService } from '../../../../hub/services/business-event-service.js';
import { createInviteService } from '../../../../hub/services/invite-service.js';
import { createMemberService } from '../../../../hub/services/member-service.js';
import { createPayoutService } from '../../../../hub/services/payout-service.js';
import { createProgramService } from '../../../../hub/services/program-service.js';
import { createReferralService } from '../../../../hub/services/referral-service.js';
import { createRewardService } from '../../../../hub/services/reward-service.js';
import type { ConsoleDeps } from '../../console-deps.js';

/** The API's own services, built once for the member, referral, reward and payout pages. */
export function createPeopleServices(deps: ConsoleDeps) {
  return {
    deps,
    members: createMemberService(deps.db, deps.publicUrl),
    referrals: createReferralService(deps.db, deps.sql, deps.dispatcher),
    rewards: createRewardService(deps.db),
    payouts: createPayoutService(deps.db),
    businessEvents: createBusinessEventService(deps.db, deps.dispatcher),
    invites: createInviteService(deps),
    programs: createProgramService(deps.db),
  };
}

export type PeopleServices = ReturnType<typeof createPeopleServices>;
