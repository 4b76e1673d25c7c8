import { describe, expect, it } from 'vitest';
import { derivePurposeKey } from './purpose-key.js';
import { signUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.js';

const key = derivePurposeKey('test-secret', 'unsubscribe');

describe('unsubscribe tokens', () => {
  it('round-trip the program and the lower-cased address', () => {
    const token = signUnsubscribeToken(key, { programId: 'prg_1', email: 'Cy@Example.com' });
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(verifyUnsubscribeToken(key, token)).toEqual({ programId: 'prg_1', email: 'cy@example.com' });
  });

  it('refuse a token for another address, a flipped character, another key or purpose, and junk', () => {
    const token = signUnsubscribeToken(key, { programId: 'prg_1', email: 'cy@example.com' });
    const [payload, mac] = token.split('.') as [string, string];
    const other = signUnsubscribeToken(key, { programId: 'prg_1', email: 'di@example.com' }).split('.')[0]!;
    expect(verifyUnsubscribeToken(key, `${other}.${mac}`)).toBeUndefined();
    const flipped = mac.slice(0, -1) + (mac.endsWith('A') ? 'B' : 'A');
    expect(verifyUnsubscribeToken(key, `${payload}.${flipped}`)).toBeUndefined();
    expect(verifyUnsubscribeToken(derivePurposeKey('another-secret', 'unsubscribe'), token)).toBeUndefined();
    expect(verifyUnsubscribeToken(derivePurposeKey('test-secret', 'something-else'), token)).toBeUndefined();
    for (const junk of ['', '.', 'abc', `${token}.x`, `${payload}.`, 'a'.repeat(2000)]) {
      expect(verifyUnsubscribeToken(key, junk)).toBeUndefined();
    }
  });
});
