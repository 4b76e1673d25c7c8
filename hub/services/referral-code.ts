import { randomInt } from 'node:crypto';

// No 0/O or 1/I: codes get read aloud and typed from screenshots.
const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** A short, friendly code like `ANN4K2`: up to 3 letters of the name, then random characters. */
export function generateReferralCode(nameHint: string, randomLength = 3): string {
  const letters = nameHint
    .normalize('NFKD')
    .toUpperCase()
    .replace(/[^A-Z]/g, '')
    .replace(/[IO]/g, '')
    .slice(0, 3);
  let code = letters;
  while (code.length < 3 + randomLength) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}
