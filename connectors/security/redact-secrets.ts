/**
 * Provider answers sometimes echo what we sent (a token in an error, a signed URL): every
 * message built from one goes through here before it reaches a log, the ledger or an API answer.
 * Whitespace is folded and the result cut to `maxChars`.
 */
export function redactSecrets(text: string, secrets: readonly string[], maxChars: number): string {
  let out = text;
  // Short values would blank unrelated text; real tokens and keys are long.
  for (const value of secrets) if (value.length >= 6) out = out.split(value).join('[redacted]');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > maxChars ? `${out.slice(0, maxChars)}…` : out;
}
