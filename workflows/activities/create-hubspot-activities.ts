import { and, asc, eq } from 'drizzle-orm';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import { changeReferralStatus, InvalidStatusTransition } from '../../schema/change-referral-status.js';
import type { Db, Sql } from '../../schema/db.js';
import { findWebhookReferral } from '../../schema/find-webhook-referral.js';
import { connectors, type ReferralStatus } from '../../schema/tables/index.js';
import { createConnectorRuntime } from './connector-runtime.js';
import { openConnector } from './open-connector.js';
import { activityFailure } from './activity-failure.js';

export interface HubSpotActivityDeps {
  db: Db;
  sql: Sql;
  secretBox: SecretBox;
  allowPrivateTargets: boolean;
}

export interface DealStageInput {
  dealId: string;
  status: ReferralStatus;
}

export type DealStageOutcome =
  { outcome: 'updated'; referralId: string; status: ReferralStatus } | { outcome: 'ignored'; reason: string; referralId?: string };

/** Activities for hubspotDealStage: find who a deal is about in HubSpot, then move their referral. */
export function createHubSpotActivities(deps: HubSpotActivityDeps) {
  const runtime = createConnectorRuntime({ allowPrivateTargets: deps.allowPrivateTargets });

  return {
    async applyHubSpotDealStage(input: DealStageInput): Promise<DealStageOutcome> {
      // The account's credentials are those of its HubSpot connector; the oldest enabled one wins.
      const [row] = await deps.db
        .select()
        .from(connectors)
        .where(and(eq(connectors.kind, 'hubspot'), eq(connectors.enabled, true)))
        .orderBy(asc(connectors.createdAt), asc(connectors.id))
        .limit(1);
      if (!row) return { outcome: 'ignored', reason: 'no enabled hubspot connector to look the deal up with' };
      let emails: string[];
      try {
        const lookup = openConnector(row, deps.secretBox, runtime).instance.dealContacts;
        if (!lookup) return { outcome: 'ignored', reason: 'the hubspot connector cannot look deals up' };
        emails = await lookup.emails(input.dealId);
      } catch (err) {
        throw activityFailure(err);
      }
      if (emails.length === 0) return { outcome: 'ignored', reason: 'the deal has no contact with an email' };

      const reasons = new Set<string>();
      for (const email of emails) {
        const found = await findWebhookReferral(deps.sql, { email });
        if ('reason' in found) {
          reasons.add(found.reason);
          continue;
        }
        const referralId = found.referral.id;
        try {
          await changeReferralStatus(deps.db, referralId, input.status);
        } catch (err) {
          // A referral already past this stage (or denied) stays as it is.
          if (err instanceof InvalidStatusTransition) return { outcome: 'ignored', reason: err.message, referralId };
          throw err;
        }
        return { outcome: 'updated', referralId, status: input.status };
      }
      return { outcome: 'ignored', reason: `no contact of the deal has a referral: ${[...reasons].join('; ')}` };
    },
  };
}

export type HubSpotActivities = ReturnType<typeof createHubSpotActivities>;
