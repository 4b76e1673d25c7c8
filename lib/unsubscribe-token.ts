import { createHmac, timingSafeEqual } from 'node:crypto';

/** The derivePurposeKey purpose of the key that signs unsubscribe links (hub and worker). */
export const UNSUBSCRIBE_KEY_PURPOSE = 'unsubscribe-links';

/** Who unsubscribes from what: one address from one program's share emails. */
export interface UnsubscribeSubject {
  programId: string;
  /** Lower-cased. */
  email: string;
}

// 128 bits of HMAC-SHA256: forging one is out of reach, and links stay short enough for mail clients.
const MAC_BYTES = 16;

function macOf(key: Buffer, payload: string): Buffer {
  return createHmac('sha256', key).update(`unsubscribe:v1:${payload}`).digest().subarray(0, MAC_BYTES);
}

/**
 * `<base64url program id and email>.<base64url MAC>`: the link itself is the credential, so no
 * table is needed and a link keeps working for as long as the hub's secret does.
 */
export function signUnsubscribeToken(key: Buffer, subject: UnsubscribeSubject): string {
  const payload = Buffer.from(`${subject.programId}\n${subject.email.toLowerCase()}`, 'utf8').toString('base64url');
  return `${payload}.${macOf(key, payload).toString('base64url')}`;
}

/** The subject of a token this key signed, or undefined for anything altered, truncated or foreign. */
export function verifyUnsubscribeToken(key: Buffer, token: string): UnsubscribeSubject | undefined {
  if (token.length > 1024) return undefined;
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(mac)) return undefined;
  const given = Buffer.from(mac, 'base64url');
  const expected = macOf(key, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const [programId, email, rest] = Buffer.from(payload, 'base64url').toString('utf8').split('\n');
  if (!programId || !email || rest !== undefined) return undefined;
  return { programId, email };
}
