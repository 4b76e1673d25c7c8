import { describe, expect, it } from 'vitest';
import { formatDateParts, parseDatePattern, toUtcDate } from './date-pattern.js';

const iso = (value: unknown): string | undefined => toUtcDate(value)?.toISOString();

describe('toUtcDate', () => {
  it('reads the ISO 8601 forms records carry', () => {
    expect(iso('2024-03-05')).toBe('2024-03-05T00:00:00.000Z');
    expect(iso('2024-03-05T10:20')).toBe('2024-03-05T10:20:00.000Z');
    expect(iso('2024-03-05 10:20:30')).toBe('2024-03-05T10:20:30.000Z');
    expect(iso('2024-03-05T10:20:30.5Z')).toBe('2024-03-05T10:20:30.500Z');
    expect(iso('2024-03-05T10:20:30,25Z')).toBe('2024-03-05T10:20:30.250Z');
    expect(iso('2024-03-05T10:20:30+01')).toBe('2024-03-05T09:20:30.000Z');
    expect(iso('2024-03-05T10:20:30+0130')).toBe('2024-03-05T08:50:30.000Z');
    expect(iso('2024-03-05T00:20:30-01:00')).toBe('2024-03-05T01:20:30.000Z');
    expect(iso(' 2024-03-05T10:20:30z ')).toBe('2024-03-05T10:20:30.000Z');
  });

  it('accepts valid Dates and refuses everything else', () => {
    const d = new Date('2024-03-05T10:20:30.000Z');
    expect(toUtcDate(d)).toBe(d);
    for (const value of [
      new Date('nope'),
      'yesterday',
      '2024-3-5',
      '20240305',
      '2024-03-05T10',
      '2024-03-05T10:20:30+25:00',
      '2024-03-05T10:60',
      '2024-04-31',
      '2024-00-10',
      1709634030000,
      null,
      undefined,
      {},
    ]) {
      expect(toUtcDate(value), String(value)).toBeUndefined();
    }
  });

  it('knows leap years, including century rules', () => {
    expect(iso('2000-02-29')).toBe('2000-02-29T00:00:00.000Z');
    expect(iso('1900-02-29')).toBeUndefined();
    expect(iso('2024-02-29')).toBe('2024-02-29T00:00:00.000Z');
  });
});

describe('parseDatePattern', () => {
  it('merges adjacent literal text and keeps tokens', () => {
    expect(parseDatePattern("yyyy'-W'-MM")).toEqual({ parts: [{ token: 'yyyy' }, { text: '-W-' }, { token: 'MM' }] });
    expect(parseDatePattern("''yyyy''")).toEqual({ parts: [{ text: "'" }, { token: 'yyyy' }, { text: "'" }] });
  });

  it('treats non-ASCII letters and symbols as literal text', () => {
    const parsed = parseDatePattern('dd.MM.yyyy г.');
    expect(parsed).toEqual({ parts: [{ token: 'dd' }, { text: '.' }, { token: 'MM' }, { text: '.' }, { token: 'yyyy' }, { text: ' г.' }] });
    if (!('parts' in parsed)) throw new Error('expected parts');
    expect(formatDateParts(parsed.parts, new Date('2024-03-05T00:00:00Z'))).toBe('05.03.2024 г.');
  });

  it('refuses unknown letter runs', () => {
    for (const pattern of ['yyy', 'yyyyy', 'M', 'MMM', 'd', 'DD', 'hh', 'a', 'Z', 'SS', 'EEE']) {
      expect(parseDatePattern(pattern), pattern).toHaveProperty('error');
    }
  });
});
