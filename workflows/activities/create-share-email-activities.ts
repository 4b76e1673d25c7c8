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

// The enrolment workflow starts inside the transaction that creates the member: until that
// commits the member is not visible. Missing for longer than this, it never will be (rolled back).
const MEMBER_COMMIT_GRACE_MS = 120_000;

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

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

  async function finish(
    tx: Tx,
    id: string,
    status: 'sent' | 'skipped' | 'failed',
    reason: string | null,
    details: Record<string, unknown>,
  ) {
    await tx
      .update(shareEmails)
      .set({ status, reason, details: sql`coalesce(${shareEmails.details}, '{}'::jsonb) || ${JSON.stringify(details)}::jsonb` })
      .where(eq(shareEmails.id, id));
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
     * Sends a queued share email once. The row is locked for the send and marked `sent` in the
     * same transaction, so two attempts never both send it; a suppression or a missing connector
     * found now still stops it. Mail server errors are thrown for the workflow's retry policy.
     */
    async sendShareEmail(input: { shareEmailId: string }): Promise<{ status: string; reason: string | null }> {
      return deps.db.transaction(async (tx) => {
        const [row] = await tx.select().from(shareEmails).where(eq(shareEmails.id, input.shareEmailId)).for('update');
        if (!row) throw ApplicationFailure.nonRetryable(`share email ${input.shareEmailId} not found`, 'NotFound');
        if (row.status !== 'queued') return { status: row.status, reason: row.reason };
        if (await isSuppressed(tx, row.programId, row.email)) return finish(tx, row.id, 'skipped', 'suppressed', {});
        const [program] = await tx.select().from(programs).where(eq(programs.id, row.programId));
        const [member] = row.memberId ? await tx.select().from(members).where(eq(members.id, row.memberId)) : [];
        // A deleted member's code is retired: its link would lead nowhere.
        if (!program || !member || member.deletedAt) return finish(tx, row.id, 'skipped', 'member_deleted', {});
        const share = shareSettingsOf(program);
        const connector = await shareConnectorOf(tx, share);
        const instance = connector ? openConnector(connector, deps.secretBox, runtime).instance : undefined;
        if (!connector || !instance?.mailer) {
          return finish(tx, row.id, 'failed', 'no_email_connector', {
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
        try {
          const sent = await instance.mailer.send({
            to: row.email,
            ...content,
            fromName: program.name,
            // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to the link.
            headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
            messageId: `<${row.id}@${fromDomain}>`,
          });
          return finish(tx, row.id, 'sent', null, {
            messageId: sent.messageId,
            connectorId: connector.id,
            sentAt: new Date().toISOString(),
          });
        } catch (err) {
          throw activityFailure(err);
        }
      });
    },

    /** Retrying is over (or the server refused the message): the email is `failed`, with why. */
    async failShareEmail(input: { shareEmailId: string; error: string }): Promise<void> {
      await deps.db.transaction(async (tx) => {
        const [row] = await tx.select().from(shareEmails).where(eq(shareEmails.id, input.shareEmailId)).for('update');
        if (row?.status !== 'queued') return;
        await finish(tx, row.id, 'failed', 'send_failed', { error: input.error.slice(0, 1000) });
      });
      deps.logger.warn({ shareEmailId: input.shareEmailId, error: input.error }, 'share email failed');
    },
  };
}

export type ShareEmailActivities = ReturnType<typeof createShareEmailActivities>;
