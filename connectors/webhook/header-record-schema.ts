import { z } from 'zod';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// CR/LF would let a header value inject further headers.
const HEADER_VALUE = /^[^\r\n\0]*$/;

/** Set by the delivery itself: a custom header must not replace the signature or the framing. */
const DELIVERY_HEADERS = [
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'content-type',
  'content-length',
  'host',
  'transfer-encoding',
  'connection',
];
/** Credentials belong in the encrypted, write-only secrets, not in settings that are shown back. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'cookie'];

/**
 * Extra request headers. `allowCredentials` is true for the secrets copy (Authorization and the
 * like live there) and false for the settings copy.
 */
export function headerRecordSchema(options: { allowCredentials: boolean }) {
  const refused = new Set(options.allowCredentials ? DELIVERY_HEADERS : [...DELIVERY_HEADERS, ...CREDENTIAL_HEADERS]);
  return z
    .record(
      z.string().regex(HEADER_NAME, 'not a valid HTTP header name'),
      z.string().regex(HEADER_VALUE, 'header values must not contain line breaks'),
    )
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        const lower = name.toLowerCase();
        if (!refused.has(lower)) continue;
        const message = CREDENTIAL_HEADERS.includes(lower)
          ? `${name} carries credentials: put it in secrets.headers`
          : `${name} is set by the delivery and cannot be overridden`;
        ctx.addIssue({ code: 'custom', path: [name], message });
      }
    });
}
