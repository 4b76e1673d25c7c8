import { ApplicationFailure, Context } from '@temporalio/activity';
import { and, eq, sql } from 'drizzle-orm';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { signUnsubscribeToken } from '../../lib/unsubscribe-token.js';
import type { Db } from '../../schema/db.js';
import { memberJson } from '../../schema/public-json.js';
import { shareSettingsOf } from '../../schema/share-settings-of.js';
import { clicks, connectors, emailSuppressions, members, programs, shareEmails } from '../../schema/tables/index.js';
import { activityFailure } from './activity-failure.js';
import { createConnectorRuntime } from './connector-runtime.js';
import { openConnector, type ConnectorRow } from './open-connector.js';
import { renderShareEmail } from './render-share-email.js';

export interface ShareEmailActivityDeps {
  db: Db;
  secretBox: SecretBox;
  allowPrivateTargets: boolean;
  /** Base of the links in the emails (`/r/CODE`, `/u/TOKEN`). */
  publicUrl: string;
  /** Signs unsubscribe links (the hub verifies them with the same key). */
  unsubscribeKey: Buffer;
  logger: Logger;
}

export type QueuedMemberEmail =
  { outcome: 'queued'; shareEmailId: string } | { outcome: 'not_sent'; reason: string; shareEmailId?: string } | { outcome: 'member_gone' };

// Longer than one send attempt can take (three 15 s SMTP timeouts inside the 1 min activity
// timeout): a claim this old belongs to an attempt that is over, whatever became of it.
const CLAIM_MS = 120_000;

// The enrolment workflow starts inside the transaction that creates the member: until that
// commits the member is not visible. Missing for longer than this, it never will be (rolled back).
const MEMBER_COMMIT_GRACE_MS = 120_000;

/** The enabled `email` connector the program's share emails go through, if it has one. */
async function shareConnectorOf(db: Pick<Db, 'select'>, share: ReturnType<typeof shareSettingsOf>): Promise<ConnectorRow | undefined> {
  if (!share.emailConnectorId) return undefined;
  const [row] = await db.select().from(connectors).where(eq(connectors.id, share.emailConnectorId));
  return row && row.kind === 'email' && row.enabled ? row : undefined;
}

async function isSuppressed(db: Pick<Db, 'select'>, programId: string, email: string): Promise<boolean> {
  const [hit] = await db
    .select({ email: emailSuppressions.email })
    .from(emailSuppressions)
    .where(and(eq(emailSuppressions.programId, programId), eq(emailSuppressions.email, email)));
  return hit !== undefined;
}

/** Activities of the shareEmail and enrolment workflows: queue a member's email, send one, record a failure. */
export function createShareEmailActivities(deps: ShareEmailActivityDeps) {
  const runtime = createConnectorRuntime({ allowPrivateTargets: deps.allowPrivateTargets });

  /** The row's final status; only a row still queued changes, and its claim goes with it. */
  async function finish(id: string, status: 'sent' | 'skipped' | 'failed', reason: string | null, details: Record<string, unknown>) {
    await deps.db
      .update(shareEmails)
      .set({
        status,
        reason,
        details: sql`(coalesce(${shareEmails.details}, '{}'::jsonb) - 'sendingSince') || ${JSON.stringify(details)}::jsonb`,
      })
      .where(and(eq(shareEmails.id, id), eq(shareEmails.status, 'queued')));
    return { status, reason };
  }

  return {
    /**
     * The member's welcome or reminder as a `share_emails` row (one per member and kind, by its
     * idempotency key), queued to send or skipped with the reason. A reminder is not queued once
     * the member's link has a click.
     */
    async queueMemberEmail(input: { memberId: string; kind: 'welcome' | 'reminder' }): Promise<QueuedMemberEmail> {
      const [member] = await deps.db.select().from(members).where(eq(members.id, input.memberId));
      if (!member) {
        const waited = Date.now() - Context.current().info.scheduledTimestampMs;
        if (waited > MEMBER_COMMIT_GRACE_MS) return { outcome: 'member_gone' };
        throw ApplicationFailure.retryable(`member ${input.memberId} is not committed yet`, 'member_not_found');
      }
      if (member.deletedAt) return { outcome: 'member_gone' };
      if (input.kind === 'reminder') {
        const [click] = await deps.db.select({ id: clicks.id }).from(clicks).where(eq(clicks.memberId, member.id)).limit(1);
        if (click) return { outcome: 'not_sent', reason: 'link_clicked' };
      }
      const [program] = await deps.db.select().from(programs).where(eq(programs.id, member.programId));
      const email = member.email.toLowerCase();
      const idempotencyKey = `${input.kind}:${member.id}`;
      const reason = (await isSuppressed(deps.db, member.programId, email))
        ? 'suppressed'
        : !(await shareConnectorOf(deps.db, shareSettingsOf(program!)))
          ? 'no_email_connector'
          : null;
      await deps.db
        .insert(shareEmails)
        .values({
          id: newId('eml'),
          programId: member.programId,
          memberId: member.id,
          email,
          kind: input.kind,
          status: reason ? 'skipped' : 'queued',
          reason,
          idempotencyKey,
        })
        .onConflictDoNothing({ target: shareEmails.idempotencyKey });
      // A retried activity finds the row its first attempt wrote.
      const [row] = await deps.db.select().from(shareEmails).where(eq(shareEmails.idempotencyKey, idempotencyKey));
      if (row!.status === 'queued') return { outcome: 'queued', shareEmailId: row!.id };
      return { outcome: 'not_sent', reason: row!.reason ?? row!.status, shareEmailId: row!.id };
    },

    /**
     * Sends a queued share email once. An attempt first claims the row for CLAIM_MS (no
     * transaction or connection is held while the mail server answers), so a second attempt
     * arriving meanwhile waits for the first instead of sending too; a claim left by a worker
     * that died expires. A suppression or a missing connector found now still stops the send.
     * Mail server errors release the claim and are thrown for the workflow's retry policy.
     */
    async sendShareEmail(input: { shareEmailId: string }): Promise<{ status: string; reason: string | null }> {
      const id = input.shareEmailId;
      const [row] = await deps.db
        .update(shareEmails)
        .set({ details: sql`coalesce(${shareEmails.details}, '{}'::jsonb) || jsonb_build_object('sendingSince', now())` })
        .where(
          and(
            eq(shareEmails.id, id),
            eq(shareEmails.status, 'queued'),
            sql`coalesce((${shareEmails.details}->>'sendingSince')::timestamptz, '-infinity') < now() - make_interval(secs => ${CLAIM_MS / 1000})`,
          ),
        )
        .returning();
      if (!row) {
        const [current] = await deps.db.select().from(shareEmails).where(eq(shareEmails.id, id));
        if (!current) throw ApplicationFailure.nonRetryable(`share email ${id} not found`, 'NotFound');
        if (current.status !== 'queued') return { status: current.status, reason: current.reason };
        throw ApplicationFailure.retryable(`share email ${id} is being sent by another attempt`, 'share_email_claimed');
      }
      const release = () =>
        deps.db
          .update(shareEmails)
          .set({ details: sql`${shareEmails.details} - 'sendingSince'` })
          .where(and(eq(shareEmails.id, id), eq(shareEmails.status, 'queued')));

      if (await isSuppressed(deps.db, row.programId, row.email)) return finish(id, 'skipped', 'suppressed', {});
      const [program] = await deps.db.select().from(programs).where(eq(programs.id, row.programId));
      const [member] = row.memberId ? await deps.db.select().from(members).where(eq(members.id, row.memberId)) : [];
      // A deleted member's code is retired: its link would lead nowhere.
      if (!program || !member || member.deletedAt) return finish(id, 'skipped', 'member_deleted', {});
      const share = shareSettingsOf(program);
      const connector = await shareConnectorOf(deps.db, share);
      const instance = connector ? openConnector(connector, deps.secretBox, runtime).instance : undefined;
      if (!connector || !instance?.mailer) {
        return finish(id, 'failed', 'no_email_connector', {
          error: "the program's share.emailConnectorId names no enabled email connector",
        });
      }
      const unsubscribeUrl = `${deps.publicUrl}/u/${signUnsubscribeToken(deps.unsubscribeKey, { programId: row.programId, email: row.email })}`;
      const content = renderShareEmail({
        kind: row.kind === 'invite' ? 'invite' : row.kind === 'reminder' ? 'reminder' : 'welcome',
        programName: program.name,
        offer: share.offer,
        firstName: member.firstName,
        referralUrl: memberJson(member, deps.publicUrl).referralUrl,
        unsubscribeUrl,
        message: typeof row.details?.message === 'string' ? row.details.message : undefined,
      });
      const fromDomain = String((connector.settings as { from?: unknown }).from ?? '').split('@')[1] || 'referral-hub.invalid';
      let messageId: string;
      try {
        ({ messageId } = await instance.mailer.send({
          to: row.email,
          ...content,
          fromName: program.name,
          // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the link.
          headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
          messageId: `<${row.id}@${fromDomain}>`,
        }));
      } catch (err) {
        await release();
        throw activityFailure(err);
      }
      return finish(id, 'sent', null, { messageId, connectorId: connector.id, sentAt: new Date().toISOString() });
    },

    /** Retrying is over (or the server refused the message): the email is `failed`, with why. */
    async failShareEmail(input: { shareEmailId: string; error: string }): Promise<void> {
      await finish(input.shareEmailId, 'failed', 'send_failed', { error: input.error.slice(0, 1000) });
      deps.logger.warn({ shareEmailId: input.shareEmailId, error: input.error }, 'share email failed');
    },
  };
}

export type ShareEmailActivities = ReturnType<typeof createShareEmailActivities>;
