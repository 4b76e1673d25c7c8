/**
 * Parses a pinned SSH host key fingerprint into its 32 raw bytes, or null when it is not one.
 * Accepts what admins copy from `ssh-keygen -lf` (`SHA256:` + unpadded base64), plain base64
 * with or without padding, and 64 hex digits (optionally colon-separated).
 */
export function hostKeySha256(pin: string): Buffer | null {
  const value = pin.trim().replace(/^SHA256:/i, '');
  const hex = value.replace(/:/g, '');
  if (/^[0-9a-f]{64}$/i.test(hex)) return Buffer.from(hex, 'hex');
  // 32 bytes are 43 base64 characters plus one "=" of padding.
  if (/^[A-Za-z0-9+/]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/=$/, ''), 'base64');
    return bytes.length === 32 ? bytes : null;
  }
  return null;
}
