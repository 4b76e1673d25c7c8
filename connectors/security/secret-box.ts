import crypto from 'node:crypto';

/** Encrypts connector secrets at rest. Messages never contain key or plaintext. */
export interface SecretBox {
  /** `v1:<base64 iv>:<base64 tag>:<base64 ciphertext>`; a fresh random IV every call. */
  seal(plaintext: string, aad?: string): string;
  /** Throws when the value was altered, sealed under another key, or with another `aad`. */
  open(sealed: string, aad?: string): string;
  sealJson(value: unknown, aad?: string): string;
  /** Parse the result with the owner's zod schema: the box only guarantees it is what was sealed. */
  openJson(sealed: string, aad?: string): unknown;
}

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const BASE64_KEY = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Reads a 32-byte key from config text: 64 hex characters, or base64/base64url of 32 bytes. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  if (HEX_KEY.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (BASE64_KEY.test(trimmed)) {
    const bytes = Buffer.from(trimmed.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === KEY_BYTES) return bytes;
  }
  throw new Error(
    `secret key must be 32 bytes written as 64 hex characters or base64 (got ${trimmed.length} characters); ` +
      'generate one with: openssl rand -hex 32',
  );
}

function decodePart(part: string | undefined, bytes?: number): Buffer {
  const decoded = part !== undefined && BASE64_KEY.test(part) ? Buffer.from(part, 'base64') : undefined;
  if (!decoded || (bytes !== undefined && decoded.length !== bytes)) throw new Error('sealed secret is malformed');
  return decoded;
}

/** AES-256-GCM: authenticated, so a flipped bit or a wrong key fails instead of returning garbage. */
export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== KEY_BYTES) throw new Error(`secret box key must be ${KEY_BYTES} bytes (got ${key.length})`);
  const ownKey = Buffer.from(key);

  function seal(plaintext: string, aad?: string): string {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', ownKey, iv);
    if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64'), tag.toString('base64'), ciphertext.toString('base64')].join(':');
  }

  function open(sealed: string, aad?: string): string {
    const parts = sealed.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) throw new Error('sealed secret is malformed or of an unknown version');
    const iv = decodePart(parts[1], IV_BYTES);
    const tag = decodePart(parts[2], TAG_BYTES);
    const ciphertext = parts[3] === '' ? Buffer.alloc(0) : decodePart(parts[3]);
    const decipher = crypto.createDecipheriv('aes-256-gcm', ownKey, iv, { authTagLength: TAG_BYTES });
    if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    try {
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new Error('sealed secret failed authentication (altered, or sealed with another key)', { cause: error });
    }
  }

  return {
    seal,
    open,
    sealJson(value, aad) {
      const json = JSON.stringify(value) as string | undefined;
      if (json === undefined) throw new Error('sealJson needs a JSON-serialisable value');
      return seal(json, aad);
    },
    openJson: (sealed, aad) => JSON.parse(open(sealed, aad)) as unknown,
  };
}
