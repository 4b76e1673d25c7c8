import { expect, it } from 'vitest';
import { redactSecrets } from './redact-secrets.js';

it('replaces every occurrence of each long secret, folds whitespace and cuts to the limit', () => {
  expect(redactSecrets('token abcdef123 in\n\n url ?t=abcdef123', ['abcdef123'], 100)).toBe('token [redacted] in url ?t=[redacted]');
  expect(redactSecrets('x'.repeat(20), [], 5)).toBe('xxxxx…');
});

it('leaves short values alone: they would blank unrelated text', () => {
  expect(redactSecrets('status ok', ['ok'], 100)).toBe('status ok');
});
