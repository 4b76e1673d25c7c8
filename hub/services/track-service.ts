import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { shareSettingsOf } from '../../schema/share-settings-of.js';
import { programs } from '../../schema/tables/index.js';
import type { TrackClick, TrackConversion, TrackJoin } from '../contracts/track-contract.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/hub-env.js';
import { createClickService } from './click-service.js';
import type { HubDeps } from './hub-deps.js';
import { createReferralService } from './referral-service.js';
import { createMemberService } from './member-service.js';

/** The program a publishable key names, with what the public endpoints need to know of it. */
export interface KeyProgram {
  id: string;
  active: boolean;
  allowedHostnames: string[];
  webConversions: boolean;
  cookieDays: number;
}

/** Where the browser came from, as far as the hub can tell. */
export interface Visitor {
  /** The `rh_vid` cookie, when the request carried a well-formed one. */
  cookie?: string;
  ip?: string;
  userAgent?: string;
}

// Preflights carry no key: they are answered from every program's list, re-read this often.
const HOSTNAME_LIST_TTL_MS = 10_000;
const VISITOR_COOKIE = /^[\w-]{8,64}$/;

/**
 * The public tracking endpoints' work: a publishable key names one program and does nothing
 * else. Clicks go through the click service, conversions through the referral service, with the
 * key's program as the only one they may touch.
 */
export function createTrackService(deps: HubDeps) {
  const clicks = createClickService(deps.db, deps.sql, deps.publicUrl, deps.ipHashSalt);
  const conversions = createReferralService(deps.db, deps.sql, deps.dispatcher);
  const members = createMemberService(deps.db, deps.publicUrl);
  let hostnames: { list: string[]; until: number } | undefined;

  // Without the cookie, the address and browser stand in for the visitor (salted, so the stored
  // id is not a hash anyone could recompute from an address).
  const visitorIdOf = (v: Visitor) =>
    v.cookie && VISITOR_COOKIE.test(v.cookie)
      ? v.cookie
      : `h_${createHash('sha256')
          .update(`${deps.ipHashSalt}:${v.ip ?? ''}:${v.userAgent ?? ''}`)
          .digest('hex')
          .slice(0, 40)}`;

  const refuseInactive = (program: KeyProgram) => {
    if (!program.active) throw new ApiError('forbidden', 'This program is not active');
  };

  return {
    /**
     * The program whose current publishable key this is. Anything else (a key rotated away, a
     * secret API key, garbage) is simply not found: only publishable keys are ever compared.
     */
    async programOfKey(key: string): Promise<KeyProgram | undefined> {
      if (!key.startsWith('rh_pk_') || key.length > 200) return undefined;
      const [row] = await deps.db
        .select({ id: programs.id, status: programs.status, share: programs.share, cookieDays: programs.cookieDays })
        .from(programs)
        .where(eq(programs.publishableKey, key));
      if (!row) return undefined;
      const share = shareSettingsOf(row);
      return {
        id: row.id,
        active: row.status === 'active',
        allowedHostnames: share.allowedHostnames,
        webConversions: share.webConversions,
        cookieDays: row.cookieDays,
      };
    },

    /** Every hostname entry of the active programs, for answering preflights. */
    async allowedHostnameEntries(): Promise<string[]> {
      if (hostnames && hostnames.until > Date.now()) return hostnames.list;
      const rows = await deps.sql<{ entry: string }[]>`
        select distinct entry from programs,
          jsonb_array_elements_text(case when jsonb_typeof(share->'allowedHostnames') = 'array' then share->'allowedHostnames' else '[]'::jsonb end) entry
        where status = 'active' and publishable_key is not null`;
      hostnames = { list: rows.map((r) => r.entry), until: Date.now() + HOSTNAME_LIST_TTL_MS };
      return hostnames.list;
    },

    /**
     * The share widget: enrols the visitor as a member (idempotent per email) and answers their own
     * link, which is made to be shared; nothing else about the member is returned.
     */
    async join(program: KeyProgram, input: TrackJoin): Promise<{ referralCode: string; referralUrl: string }> {
      refuseInactive(program);
      const only: Principal = { id: `publishable:${program.id}`, name: 'referral.js', scopes: ['write'], programIds: [program.id] };
      const { member } = await members.create(only, {
        programId: program.id,
        email: input.email,
        firstName: input.firstName,
        lastName: input.lastName,
        customFields: { source: 'widget' },
      });
      return { referralCode: member.referralCode, referralUrl: member.referralUrl };
    },

    async click(program: KeyProgram, input: TrackClick, visitor: Visitor): Promise<string> {
      refuseInactive(program);
      const tracked = await clicks.track({
        programId: program.id,
        code: input.code,
        visitorId: visitorIdOf(visitor),
        ip: visitor.ip,
        userAgent: visitor.userAgent,
        url: input.url,
      });
      if (!tracked) throw unknownCode();
      return tracked.clickId;
    },

    /**
     * A browser conversion: always the program's initial status and source `web`; the amount and
     * currency the page reports are kept for people to read (customFields.reportedAmount and
     * reportedCurrency) and never reach the referral's amount, which percent rewards are paid on.
     */
    async convert(program: KeyProgram, input: TrackConversion, visitor: Visitor): Promise<{ created: boolean; referralId: string }> {
      refuseInactive(program);
      if (!program.webConversions) throw new ApiError('forbidden', 'This program does not accept conversions from browsers');
      const principal: Principal = {
        id: `publishable:${program.id}`,
        name: 'publishable key',
        scopes: ['track'],
        programIds: [program.id],
      };
      const reported = {
        ...(input.amount !== undefined ? { reportedAmount: input.amount } : {}),
        ...(input.currency !== undefined ? { reportedCurrency: input.currency } : {}),
      };
      try {
        const { created, referral } = await conversions.convert(
          principal,
          {
            programId: program.id,
            referralCode: input.code,
            // Only a real visitor cookie: it is compared with the member's own to refuse self-referrals.
            visitorId: visitor.cookie && VISITOR_COOKIE.test(visitor.cookie) ? visitor.cookie : undefined,
            email: input.email,
            firstName: input.firstName,
            lastName: input.lastName,
            phone: input.phone,
            orderId: input.orderId,
            status: 'pending',
            source: 'web',
            customFields: reported,
          },
          { oncePerOrder: true },
        );
        return { created, referralId: referral.id };
      } catch (err) {
        // The referral service names its own field; this endpoint's field is `code`.
        if (err instanceof ApiError && err.code === 'validation_failed') throw unknownCode();
        throw err;
      }
    },
  };
}

const unknownCode = () =>
  new ApiError('validation_failed', 'No member of this program has this referral code', [
    { path: 'code', message: 'no member in this program matches' },
  ]);
