import net from 'node:net';

/** Why an IP address is not a safe outbound target. */
export type AddressCategory = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'shared' | 'multicast' | 'broadcast' | 'reserved';

export interface BlockedAddress {
  category: AddressCategory;
  /** Reads after "is": "a private address", "a link-local address (cloud metadata service)". */
  description: string;
}

/** Appended to every refusal so an operator knows the one switch that changes it. */
export const ALLOW_PRIVATE_HINT = 'set HUB_ALLOW_PRIVATE_TARGETS=true to allow';

type Subnet = [network: string, prefix: number, type: 'ipv4' | 'ipv6'];

// Order matters: the first matching category wins (255.255.255.255 is broadcast before the
// reserved 240/4 block; :: and ::1 are named before the deprecated IPv4-compatible ::/96).
const RANGES: Array<[AddressCategory, Subnet[]]> = [
  [
    'unspecified',
    [
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ],
  ],
  [
    'loopback',
    [
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ],
  ],
  [
    'private',
    [
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
      // Deprecated site-local and the local-use NAT64 prefix both route inside one network.
      ['fec0::', 10, 'ipv6'],
      ['64:ff9b:1::', 48, 'ipv6'],
    ],
  ],
  [
    'link-local',
    [
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ],
  ],
  ['shared', [['100.64.0.0', 10, 'ipv4']]],
  ['broadcast', [['255.255.255.255', 32, 'ipv4']]],
  [
    'multicast',
    [
      ['224.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ],
  ],
  [
    'reserved',
    [
      ['192.0.0.0', 24, 'ipv4'],
      ['192.0.2.0', 24, 'ipv4'],
      ['198.18.0.0', 15, 'ipv4'],
      ['198.51.100.0', 24, 'ipv4'],
      ['203.0.113.0', 24, 'ipv4'],
      ['240.0.0.0', 4, 'ipv4'],
      ['::', 96, 'ipv6'],
      ['100::', 64, 'ipv6'],
      ['2001:db8::', 32, 'ipv6'],
    ],
  ],
];

const BLOCK_LISTS: Array<[AddressCategory, net.BlockList]> = RANGES.map(([category, subnets]) => {
  const list = new net.BlockList();
  for (const [network, prefix, type] of subnets) list.addSubnet(network, prefix, type);
  return [category, list];
});

const LABELS: Record<AddressCategory, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address',
  unspecified: 'an unspecified address',
  shared: 'a carrier-grade NAT (shared) address',
  multicast: 'a multicast address',
  broadcast: 'a broadcast address',
  reserved: 'a reserved address',
};

const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254']);

/** Expands a WHATWG-canonical IPv6 literal (hex groups, at most one "::") into 8 groups. */
function ipv6Groups(canonical: string): number[] {
  const [head = '', tail] = canonical.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16));
}

function ipv4FromGroups(high: number, low: number): string {
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/**
 * IPv6 forms that carry an IPv4 address a gateway or the kernel may connect to: IPv4-mapped
 * (::ffff:a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16). They are judged by that IPv4.
 */
function embeddedIpv4(groups: number[]): string | undefined {
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) return ipv4FromGroups(g6, g7);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return ipv4FromGroups(g6, g7);
  if (g0 === 0x2002 && g1 !== undefined && g2 !== undefined) return ipv4FromGroups(g1, g2);
  return undefined;
}

/**
 * Returns why `address` (an IP literal, any spelling Node accepts) must not be an outbound
 * target, or undefined for a public unicast address. Non-IP input is refused as reserved so a
 * caller that forgot to resolve a name fails closed.
 */
export function classifyAddress(address: string): BlockedAddress | undefined {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  const version = net.isIP(bare);
  if (version === 0) return { category: 'reserved', description: 'not an IP address' };

  let canonical = bare;
  if (version === 6) {
    // WHATWG serialisation gives one canonical hex form (dotted tails and zero runs normalised).
    canonical = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
    const inner = embeddedIpv4(ipv6Groups(canonical));
    if (inner !== undefined) {
      const blocked = classifyAddress(inner);
      return blocked && { category: blocked.category, description: `${blocked.description} (IPv4 ${inner} inside IPv6)` };
    }
  }

  const type = version === 4 ? 'ipv4' : 'ipv6';
  for (const [category, list] of BLOCK_LISTS) {
    if (!list.check(canonical, type)) continue;
    const suffix = METADATA_ADDRESSES.has(canonical) ? ' (cloud metadata service)' : '';
    return { category, description: `${LABELS[category]}${suffix}` };
  }
  return undefined;
}
