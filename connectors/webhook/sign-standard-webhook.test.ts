import crypto from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { decodeWebhookSecret, signStandardWebhook } from './sign-standard-webhook.js';

const newSecret = () => `whsec_${crypto.randomBytes(32).toString('base64')}`;

describe('signStandardWebhook', () => {
  it('produces the same signature as the reference standardwebhooks library', () => {
    const secret = newSecret();
    const body = JSON.stringify({ id: 'evt_1', type: 'referral.created', timestamp: '2025-01-01T00:00:00.000Z', data: { name: 'Zoë' } });
    const timestamp = 1_735_689_600;
    const ours = signStandardWebhook({ id: 'evt_1', timestamp, body }, [decodeWebhookSecret(secret)]);
    expect(ours).toBe(new Webhook(secret).sign('evt_1', new Date(timestamp * 1000), body));
  });

  it('sends one space-separated v1 entry per key, current first', () => {
    const current = newSecret();
    const previous = newSecret();
    const message = { id: 'evt_2', timestamp: 1_735_689_600, body: '{}' };
    const header = signStandardWebhook(message, [decodeWebhookSecret(current), decodeWebhookSecret(previous)]);
    const entries = header.split(' ');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toBe(signStandardWebhook(message, [decodeWebhookSecret(current)]));
    expect(entries[1]).toBe(signStandardWebhook(message, [decodeWebhookSecret(previous)]));
  });

  it('refuses ids with a dot, fractional timestamps and an empty key list', () => {
    const key = decodeWebhookSecret(newSecret());
    expect(() => signStandardWebhook({ id: 'evt.1', timestamp: 1, body: '' }, [key])).toThrow('must not contain "."');
    expect(() => signStandardWebhook({ id: 'evt_1', timestamp: 1.5, body: '' }, [key])).toThrow('whole Unix seconds');
    expect(() => signStandardWebhook({ id: 'evt_1', timestamp: 1, body: '' }, [])).toThrow('at least one');
  });
});

describe('decodeWebhookSecret', () => {
  it('returns the bytes after whsec_', () => {
    const bytes = crypto.randomBytes(24);
    expect(decodeWebhookSecret(`whsec_${bytes.toString('base64')}`)).toEqual(bytes);
  });

  it.each([
    ['no prefix', crypto.randomBytes(32).toString('base64')],
    ['too short', `whsec_${crypto.randomBytes(16).toString('base64')}`],
    ['too long', `whsec_${crypto.randomBytes(65).toString('base64')}`],
    ['not base64', `whsec_${'%'.repeat(40)}`],
    ['empty', 'whsec_'],
  ])('refuses a secret with %s, without repeating it', (_, secret) => {
    let message = '';
    try {
      decodeWebhookSecret(secret);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('signing secret must be "whsec_" followed by base64 of 24-64 random bytes');
  });
});
