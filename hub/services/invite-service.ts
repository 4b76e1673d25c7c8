import { and, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { newId } from '../../lib/ids.js';
import { shareSettingsOf } from '../../schema/share-settings-of.js';
import { connectors, emailSuppressions, members, programs, shareEmails } from '../../schema/tables/index.js';
import type { InviteCreate, InviteSkipReason } from '../contracts/invite-contract.js';
import { ApiError } from '../http/api-error.js';
import type { Principal } from '../http/hub-env.js';
import type { HubDeps } from './hub-deps.js';
import { createMemberService } from './member-service.js';

const INVITE_AGAIN_AFTER_MS = 60 * 86_400_000;
const DAY_MS = 86_400_000;
const isEmail = (value: string) => z.email().max(254).safeParse(value).success;
// Rows that count as an invitation: accepted ones, whether already sent or still on their way.
const LIVE = ['queued', 'sent'] as const;

/**
 * `POST /api/v1/members/:id/invites`: decides for each address whether the member may invite it
 * (skip reasons: `invalid`, `is_member`, `suppressed`, `already_invited` within 60 days in the
 * program, `daily_limit`), records one `share_emails` row per address, and hands the accepted ones
 * to Temporal to send. Decisions are made under advisory locks on the member and on each address,
 * so two concurrent requests never both accept the same address or exceed the daily limit.
 */
export function createInviteService(deps: HubDeps) {
  const memberService = createMemberService(deps.db, deps.publicUrl);

  async function assertShareConnector(share: ReturnType<typeof shareSettingsOf>, programId: string) {
    const invalid = (message: string) => new ApiError('validation_failed', message, [{ path: 'share.emailConnectorId', message }]);
    if (!share.emailConnectorId) {
      throw invalid(`Program ${programId} has no share.emailConnectorId: set an email connector on the program to send invites`);
    }
    const [row] = await deps.db.select().from(connectors).where(eq(connectors.id, share.emailConnectorId));
    if (!row || row.kind !== 'email') throw invalid(`The program's share.emailConnectorId names no email connector`);
    if (!row.enabled) throw invalid(`The program's email connector ${row.id} is disabled`);
  }

  return {
    async invite(principal: Principal, memberId: string, input: InviteCreate) {
      const member = await memberService.getRow(principal, memberId);
      const [program] = await deps.db.select().from(programs).where(eq(programs.id, member.programId));
      const share = shareSettingsOf(program!);
      await assertShareConnector(share, program!.id);

      // One entry per address, in the order given; case and surrounding spaces do not make another address.
      const addresses = [...new Set(input.emails.map((e) => e.trim().toLowerCase().slice(0, 254)))];
      const valid = addresses.filter(isEmail);
      const message = input.message ? input.message : undefined;

      const decided = await deps.db.transaction(async (tx) => {
        // The member first, then addresses in sorted order: every request takes locks in one order.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`share-invites:member:${member.id}`}, 0))`);
        for (const email of [...valid].sort()) {
          await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`share-invites:${program!.id}:${email}`}, 0))`);
        }
        const now = Date.now();
        const memberEmails = valid.length
          ? await tx
              .select({ email: sql<string>`lower(${members.email})` })
              .from(members)
              .where(and(eq(members.programId, program!.id), isNull(members.deletedAt), inArray(sql`lower(${members.email})`, valid)))
          : [];
        const suppressed = valid.length
          ? await tx
              .select({ email: emailSuppressions.email })
              .from(emailSuppressions)
              .where(and(eq(emailSuppressions.programId, program!.id), inArray(emailSuppressions.email, valid)))
          : [];
        const invited = valid.length
          ? await tx
              .selectDistinct({ email: shareEmails.email })
              .from(shareEmails)
              .where(
                and(
                  eq(shareEmails.programId, program!.id),
                  eq(shareEmails.kind, 'invite'),
                  inArray(shareEmails.status, LIVE),
                  inArray(shareEmails.email, valid),
                  gt(shareEmails.createdAt, new Date(now - INVITE_AGAIN_AFTER_MS)),
                ),
              )
          : [];
        const [today] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(shareEmails)
          .where(
            and(
              eq(shareEmails.memberId, member.id),
              eq(shareEmails.kind, 'invite'),
              inArray(shareEmails.status, LIVE),
              gt(shareEmails.createdAt, new Date(now - DAY_MS)),
            ),
          );
        const isMember = new Set(memberEmails.map((r) => r.email));
        const isSuppressed = new Set(suppressed.map((r) => r.email));
        const wasInvited = new Set(invited.map((r) => r.email));
        let sentToday = today?.n ?? 0;

        const rows = addresses.map((email) => {
          let reason: InviteSkipReason | null = null;
          if (!isEmail(email)) reason = 'invalid';
          else if (isMember.has(email)) reason = 'is_member';
          else if (isSuppressed.has(email)) reason = 'suppressed';
          else if (wasInvited.has(email)) reason = 'already_invited';
          else if (sentToday >= share.invitesPerMemberPerDay) reason = 'daily_limit';
          else sentToday++;
          return {
            id: newId('eml'),
            programId: program!.id,
            memberId: member.id,
            email,
            kind: 'invite' as const,
            status: reason ? ('skipped' as const) : ('queued' as const),
            reason,
            details: reason === null && message ? { message } : null,
          };
        });
        await tx.insert(shareEmails).values(rows);
        return rows;
      });

      const queued = decided.filter((r) => r.status === 'queued');
      // After the commit: the rows are the truth, and whatever cannot be started now the sweep starts later.
      await deps.shareEmailWaker?.queued(queued.map((r) => r.id));
      return {
        invited: queued.map((r) => r.email),
        skipped: decided.filter((r) => r.reason !== null).map((r) => ({ email: r.email, reason: r.reason! })),
      };
    },
  };
}
