import { describe, expect, it } from 'vitest';
import { classifyAddress } from './classify-address.js';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['64:ff9b:1::a', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.254', 'shared'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['::127.0.0.1', 'reserved'],
  ])('refuses %s as %s', (address, category) => {
    expect(classifyAddress(address)?.category).toBe(category);
  });

  it.each([
    ['::ffff:127.0.0.1', 'loopback', '127.0.0.1'],
    ['::ffff:7f00:1', 'loopback', '127.0.0.1'],
    ['::ffff:10.0.0.1', 'private', '10.0.0.1'],
    ['[::ffff:169.254.169.254]', 'link-local', '169.254.169.254'],
    ['64:ff9b::a00:1', 'private', '10.0.0.1'],
    ['2002:c0a8:101::1', 'private', '192.168.1.1'],
  ])('judges %s by the IPv4 inside it', (address, category, inner) => {
    const blocked = classifyAddress(address);
    expect(blocked?.category).toBe(category);
    expect(blocked?.description).toContain(`IPv4 ${inner} inside IPv6`);
  });

  it.each(['8.8.8.8', '93.184.216.34', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '2002:5db8:d822::1'])(
    'allows the public address %s',
    (address) => {
      expect(classifyAddress(address)).toBeUndefined();
    },
  );

  it('names the cloud metadata address', () => {
    expect(classifyAddress('169.254.169.254')?.description).toBe('a link-local address (cloud metadata service)');
  });

  it('fails closed on something that is not an IP address', () => {
    expect(classifyAddress('example.com')).toEqual({ category: 'reserved', description: 'not an IP address' });
  });
});
