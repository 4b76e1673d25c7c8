import { randomBytes } from 'node:crypto';

/** A new publishable key: public (it sits in merchants' pages) but unguessable, so it names one program only. */
export function newPublishableKey(): string {
  return `rh_pk_${randomBytes(18).toString('base64url')}`;
}
