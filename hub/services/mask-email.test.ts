import { expect, it } from 'vitest';
import { maskEmail } from './mask-email.js';

it('keeps the first letter of the mailbox and of the domain, and the top-level domain', () => {
  expect(maskEmail('bob@example.com')).toBe('b***@e***.com');
  expect(maskEmail('Jane.Doe+promo@mail.acme.co.uk')).toBe('J***@m***.uk');
  expect(maskEmail('x@localhost')).toBe('x***@l***');
  expect(maskEmail('not-an-email')).toBe('***');
});
