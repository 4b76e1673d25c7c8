import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, parseSecretKey } from './secret-box.js';

const key = crypto.randomBytes(32);
const box = createSecretBox(key);

/** Flips one bit in the given base64 part of a sealed value. */
function tamper(sealed: string, partIndex: number): string {
  const parts = sealed.split(':');
  const bytes = Buffer.from(parts[partIndex] ?? '', 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  parts[partIndex] = bytes.toString('base64');
  return parts.join(':');
}

describe('createSecretBox', () => {
  it('round-trips text, including empty and non-ASCII', () => {
    for (const text of ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '', 'pässwörd 🔑']) {
      expect(box.open(box.seal(text))).toBe(text);
    }
  });

  it('writes the versioned v1:iv:tag:ciphertext format with a 12-byte IV', () => {
    const sealed = box.seal('secret value');
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    const [, iv, tag] = sealed.split(':');
    expect(Buffer.from(iv ?? '', 'base64')).toHaveLength(12);
    expect(Buffer.from(tag ?? '', 'base64')).toHaveLength(16);
    expect(sealed).not.toContain('secret value');
  });

  it('seals the same text differently every time', () => {
    const first = box.seal('same text');
    const second = box.seal('same text');
    expect(first).not.toBe(second);
    expect(first.split(':')[1]).not.toBe(second.split(':')[1]);
  });

  it.each([
    [1, 'iv'],
    [2, 'tag'],
    [3, 'ciphertext'],
  ])('detects a changed %s', (partIndex) => {
    const sealed = box.seal('do not change me');
    expect(() => box.open(tamper(sealed, partIndex))).toThrow('failed authentication');
  });

  it('refuses to open with a wrong key', () => {
    const sealed = box.seal('mine');
    expect(() => createSecretBox(crypto.randomBytes(32)).open(sealed)).toThrow('failed authentication');
  });

  it('binds the value to its aad, so a sealed secret cannot be moved to another row', () => {
    const sealed = box.seal('row secret', 'con_1');
    expect(box.open(sealed, 'con_1')).toBe('row secret');
    expect(() => box.open(sealed, 'con_2')).toThrow('failed authentication');
    expect(() => box.open(sealed)).toThrow('failed authentication');
  });

  it('refuses malformed and unknown-version values', () => {
    const [, iv, tag, ciphertext] = box.seal('x').split(':');
    for (const bad of [
      '',
      'v1:abc',
      `v2:${iv}:${tag}:${ciphertext}`,
      `v1:${iv}:${tag}:${ciphertext}:extra`,
      `v1:AAAA:${tag}:${ciphertext}`,
      `v1:${iv}:!!:${ciphertext}`,
    ]) {
      expect(() => box.open(bad)).toThrow(/malformed/);
    }
  });

  it('seals and opens JSON', () => {
    const value = { apiKey: 'k-123', nested: { list: [1, 2] } };
    const sealed = box.sealJson(value);
    expect(sealed).not.toContain('k-123');
    expect(box.openJson(sealed)).toEqual(value);
    expect(() => box.sealJson(undefined)).toThrow('JSON-serialisable');
  });

  it('requires a 32-byte key', () => {
    expect(() => createSecretBox(crypto.randomBytes(16))).toThrow('must be 32 bytes (got 16)');
  });

  it('keeps its own copy of the key', () => {
    const mutable = Buffer.from(key);
    const own = createSecretBox(mutable);
    const sealed = own.seal('copy');
    mutable.fill(0);
    expect(own.open(sealed)).toBe('copy');
  });
});

describe('parseSecretKey', () => {
  it('accepts 64 hex characters', () => {
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(` ${key.toString('hex').toUpperCase()}\n`)).toEqual(key);
  });

  it('accepts base64 and base64url of 32 bytes', () => {
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64url'))).toEqual(key);
  });

  it.each([
    '',
    'abc',
    'z'.repeat(64),
    crypto.randomBytes(31).toString('hex'),
    crypto.randomBytes(16).toString('base64'),
    crypto.randomBytes(33).toString('base64'),
  ])('refuses %j without repeating it', (text) => {
    let message = '';
    try {
      parseSecretKey(text);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^secret key must be 32 bytes written as 64 hex characters or base64/);
    if (text.length >= 3) expect(message).not.toContain(text);
  });
});
