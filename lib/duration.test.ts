import { expect, it } from 'vitest';
import { parseDuration } from './duration.js';
import { looksLikeId, newId } from './ids.js';

it('parses contract durations', () => {
  expect(parseDuration('2s')).toBe(2000);
  expect(parseDuration('15m')).toBe(900_000);
  expect(parseDuration('24h')).toBe(86_400_000);
  expect(parseDuration('30d')).toBe(2_592_000_000);
  for (const bad of ['', '5', 's', '1.5h', '-1d', '3y', '10 s']) expect(() => parseDuration(bad)).toThrow(/invalid duration/);
});

it('ids are prefixed and sort by creation time', () => {
  const a = newId('ref', 1_700_000_000_000);
  const b = newId('ref', 1_700_000_000_001);
  expect(looksLikeId(a, 'ref')).toBe(true);
  expect(looksLikeId(a, 'mem')).toBe(false);
  expect(a < b).toBe(true);
  expect(new Set(Array.from({ length: 1000 }, () => newId('evt'))).size).toBe(1000);
});
