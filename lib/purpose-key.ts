import { createHmac } from 'node:crypto';
import { deriveSecretKey } from './secret-key.js';

/**
 * A 32-byte key for one purpose (signing unsubscribe links, …), derived from HUB_SECRET_KEY with
 * HMAC-SHA256 and the purpose's name: every hub and worker with the same secret derives the same
 * key, and a value made for one purpose never verifies for another or opens a sealed secret.
 */
export function derivePurposeKey(secretKeyText: string, purpose: string): Buffer {
  return createHmac('sha256', deriveSecretKey(secretKeyText)).update(`referral-hub:purpose:${purpose}`).digest();
}
