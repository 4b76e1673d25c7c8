import { createHmac } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { HubEnv } from './hub-env.js';

/** How long a member stays signed in to a program's portal. */
export const PORTAL_SESSION_SECONDS = 7 * 86_400;

/**
 * Member portal sessions: a signed, HttpOnly, SameSite=Lax cookie per program, whose value names
 * the program, the member and the end of the session. The program inside the signed value, not
 * only the cookie's name, is what binds it: a cookie moved to another program's name reads as
 * signed out.
 */
export function createPortalSessions(opts: { secret: string; secure: boolean }) {
  const key = createHmac('sha256', opts.secret).update('member-portal-session').digest('hex');
  const prefix = opts.secure ? ('host' as const) : undefined;
  const nameOf = (programId: string) => `rh_portal_${programId}`;

  return {
    async start(c: Context<HubEnv>, programId: string, memberId: string): Promise<void> {
      const until = Math.floor(Date.now() / 1000) + PORTAL_SESSION_SECONDS;
      await setSignedCookie(c, nameOf(programId), `${programId}.${memberId}.${until}`, key, {
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
        secure: opts.secure,
        maxAge: PORTAL_SESSION_SECONDS,
        prefix,
      });
    },

    /** The signed-in member of this program, or undefined (no cookie, tampered, another program's, ended). */
    async memberId(c: Context<HubEnv>, programId: string): Promise<string | undefined> {
      const value = await getSignedCookie(c, key, nameOf(programId), prefix);
      if (!value) return undefined;
      const [program, member, until] = value.split('.');
      if (program !== programId || !member || !until || Number(until) * 1000 <= Date.now()) return undefined;
      return member;
    },

    end(c: Context<HubEnv>, programId: string): void {
      deleteCookie(c, nameOf(programId), { path: '/', secure: opts.secure, prefix });
    },
  };
}

export type PortalSessions = ReturnType<typeof createPortalSessions>;
