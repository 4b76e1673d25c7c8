import { createHash, randomBytes } from 'node:crypto';
import { and, count, eq, gt, isNull, sql } from 'drizzle-orm';
import type { SecretBox } from '../../connectors/security/secret-box.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { Db } from '../../schema/db.js';
import { emailSuppressions, members, portalTokens, shareEmails } from '../../schema/tables/index.js';
import type { HostedProgram } from './hosted-program-service.js';
import { openProgramMailer } from './program-mailer.js';

export const PORTAL_TOKEN_TTL_MS = 15 * 60_000;
/** Sign-in emails one member may be sent per 24 hours: someone typing their address in a loop cannot flood their inbox. */
export const LOGIN_EMAILS_PER_DAY = 10;

const TOKEN_PATTERN = /^[\w-]{43}$/;
const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const oneLine = (text: string) => text.replace(/[\r\n]+/g, ' ');
const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/**
 * Magic-link sign-in to the member portal. Only the token's SHA-256 is stored; the token itself
 * exists in the email alone, valid once for 15 minutes.
 */
export function createPortalLoginService(deps: {
  db: Db;
  secretBox: SecretBox;
  allowPrivateTargets: boolean;
  publicUrl: string;
  logger: Logger;
}) {
  const { db } = deps;

  async function record(
    programId: string,
    memberId: string,
    email: string,
    outcome: { status: 'sent' | 'skipped' | 'failed'; reason?: string; tokenId?: string; details?: Record<string, unknown> },
  ) {
    await db.insert(shareEmails).values({
      id: newId('sem'),
      programId,
      memberId,
      email: email.toLowerCase(),
      kind: 'login',
      status: outcome.status,
      reason: outcome.reason ?? null,
      idempotencyKey: outcome.tokenId ? `login:${outcome.tokenId}` : null,
      details: outcome.details ?? null,
    });
  }

  async function sendLink(program: HostedProgram, email: string): Promise<void> {
    const [member] = await db
      .select({ id: members.id, email: members.email, firstName: members.firstName })
      .from(members)
      .where(and(eq(members.programId, program.id), sql`lower(${members.email}) = lower(${email})`, isNull(members.deletedAt)));
    if (!member) return;
    const address = member.email.toLowerCase();
    const [suppressed] = await db
      .select({ email: emailSuppressions.email })
      .from(emailSuppressions)
      .where(and(eq(emailSuppressions.programId, program.id), eq(emailSuppressions.email, address)));
    if (suppressed) return record(program.id, member.id, address, { status: 'skipped', reason: 'suppressed' });
    const [recent] = await db
      .select({ n: count() })
      .from(shareEmails)
      .where(
        and(
          eq(shareEmails.memberId, member.id),
          eq(shareEmails.kind, 'login'),
          eq(shareEmails.status, 'sent'),
          gt(shareEmails.createdAt, new Date(Date.now() - 86_400_000)),
        ),
      );
    if ((recent?.n ?? 0) >= LOGIN_EMAILS_PER_DAY)
      return record(program.id, member.id, address, { status: 'skipped', reason: 'daily_limit' });
    const mailer = await openProgramMailer(deps, program.id, program.settings.emailConnectorId);
    if (!mailer) return record(program.id, member.id, address, { status: 'skipped', reason: 'no_email_connector' });

    const token = randomBytes(32).toString('base64url');
    const tokenId = newId('ptk');
    await db.insert(portalTokens).values({
      id: tokenId,
      programId: program.id,
      memberId: member.id,
      tokenHash: hashOf(token),
      expiresAt: new Date(Date.now() + PORTAL_TOKEN_TTL_MS),
    });
    const link = `${deps.publicUrl}/p/${program.slug}/portal/login?token=${token}`;
    const name = oneLine(program.name);
    const greeting = member.firstName ? `Hi ${oneLine(member.firstName)},` : 'Hi,';
    try {
      const sent = await mailer.send({
        to: member.email,
        subject: `Your sign-in link for ${name}`,
        text:
          `${greeting}\n\nOpen this link to sign in to your ${name} referral portal. It works once, within 15 minutes:\n\n${link}\n\n` +
          'If you did not ask for it, ignore this email: nobody can sign in without the link.\n',
        html:
          `<p>${escapeHtml(greeting)}</p><p>Open this link to sign in to your ${escapeHtml(name)} referral portal. ` +
          `It works once, within 15 minutes:</p><p><a href="${escapeHtml(link)}">Sign in to ${escapeHtml(name)}</a></p>` +
          '<p>If you did not ask for it, ignore this email: nobody can sign in without the link.</p>',
      });
      await record(program.id, member.id, address, { status: 'sent', tokenId, details: { tokenId, messageId: sent.messageId } });
    } catch (err) {
      // The person asks again; the unsent token expires unused.
      await record(program.id, member.id, address, {
        status: 'failed',
        tokenId,
        details: { tokenId, error: String((err as Error).message ?? err) },
      });
      deps.logger.warn({ err: String(err), programId: program.id, memberId: member.id }, 'portal sign-in email failed');
    }
  }

  return {
    /**
     * Starts the sign-in email and returns at once, member or not: the answer, and how long it
     * takes, say nothing about whether the address belongs to a member. The SMTP exchange never
     * holds the request either.
     */
    requestLink(program: HostedProgram, email: string): void {
      sendLink(program, email).catch((err) => deps.logger.error({ err, programId: program.id }, 'portal sign-in request failed'));
    },

    /** Whether the token is one of this program's, unused and unexpired (it stays unused). */
    async isUsable(programId: string, token: string): Promise<boolean> {
      if (!TOKEN_PATTERN.test(token)) return false;
      const [row] = await db
        .select({ id: portalTokens.id })
        .from(portalTokens)
        .where(
          and(
            eq(portalTokens.tokenHash, hashOf(token)),
            eq(portalTokens.programId, programId),
            isNull(portalTokens.usedAt),
            gt(portalTokens.expiresAt, new Date()),
          ),
        );
      return row !== undefined;
    },

    /** Uses the token up: the member it signs in, or undefined when used, expired, unknown or another program's. */
    async redeem(programId: string, token: string): Promise<string | undefined> {
      if (!TOKEN_PATTERN.test(token)) return undefined;
      // One statement: of two concurrent redemptions only one sees used_at null.
      const [row] = await db
        .update(portalTokens)
        .set({ usedAt: new Date() })
        .where(
          and(
            eq(portalTokens.tokenHash, hashOf(token)),
            eq(portalTokens.programId, programId),
            isNull(portalTokens.usedAt),
            gt(portalTokens.expiresAt, new Date()),
          ),
        )
        .returning({ memberId: portalTokens.memberId });
      return row?.memberId;
    },
  };
}

export type PortalLoginService = ReturnType<typeof createPortalLoginService>;
