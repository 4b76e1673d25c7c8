import { createHash } from 'node:crypto';
import { parseSecretKey } from '../connectors/security/secret-box.js';

/**
 * The 32-byte key for sealing connector secrets. HUB_SECRET_KEY may be 64 hex characters or
 * base64 of 32 bytes; any other text is stretched with SHA-256 so a passphrase still works.
 */
export function deriveSecretKey(text: string): Buffer {
  try {
    return parseSecretKey(text);
  } catch {
    return createHash('sha256').update(`referral-hub:${text}`).digest();
  }
}
