import { describe, expect, it } from 'vitest';
import { createClientIp } from './client-ip.js';

describe('createClientIp', () => {
  it('without trusted proxies the peer is the client, whatever X-Forwarded-For says', () => {
    const ip = createClientIp([]);
    expect(ip('203.0.113.5', '198.51.100.1')).toBe('203.0.113.5');
    expect(ip('::ffff:203.0.113.5', undefined)).toBe('203.0.113.5');
    expect(ip(undefined, '198.51.100.1')).toBeUndefined();
  });

  it('X-Forwarded-For is read only when the peer is a trusted proxy', () => {
    const ip = createClientIp(['10.0.0.0/8']);
    expect(ip('10.1.2.3', '198.51.100.1')).toBe('198.51.100.1');
    expect(ip('::ffff:10.1.2.3', '198.51.100.1')).toBe('198.51.100.1');
    expect(ip('203.0.113.5', '198.51.100.1')).toBe('203.0.113.5');
    expect(ip('10.1.2.3', undefined)).toBe('10.1.2.3');
  });

  it('takes the right-most address that is not a trusted proxy (what a client writes on the left is ignored)', () => {
    const ip = createClientIp(['10.0.0.0/8', '2001:db8::/32', '192.168.1.5']);
    expect(ip('10.0.0.1', '1.1.1.1, 198.51.100.7, 10.0.0.9')).toBe('198.51.100.7');
    expect(ip('10.0.0.1', 'spoofed, 198.51.100.7, 192.168.1.5, 2001:db8::1')).toBe('198.51.100.7');
    // Every hop trusted: the left-most is the closest we know.
    expect(ip('10.0.0.1', '10.0.0.7, 10.0.0.8')).toBe('10.0.0.7');
    // Garbage where our proxies write addresses: fall back to the peer.
    expect(ip('10.0.0.1', '198.51.100.7, not-an-ip')).toBe('10.0.0.1');
  });
});
