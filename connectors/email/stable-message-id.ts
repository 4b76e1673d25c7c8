import { createHash } from 'node:crypto';

/**
 * A Message-ID that depends only on what is being sent (sender, recipients, file name, part),
 * so a retried delivery carries the same ID as the first attempt and mail clients and
 * recipients' scripts can recognise it as a re-send (RFC 5322 §3.6.4).
 */
export function stableMessageId(input: { from: string; to: string[]; fileName: string; part: number; parts: number }): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([input.from, [...input.to].sort(), input.fileName, input.part, input.parts]))
    .digest('hex')
    .slice(0, 32);
  const domain = input.from.split('@').pop() || 'referral-hub.invalid';
  return `<${hash}.${input.part}of${input.parts}@${domain}>`;
}
