import { BlockList, isIP } from 'node:net';

/** `::ffff:203.0.113.5` (an IPv4 peer on a dual-stack socket) → `203.0.113.5`. */
function plain(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/**
 * Resolves the client's address. X-Forwarded-For is read only when the direct peer is one of
 * the trusted proxies (anyone else can write any value into it), and then from the right: the
 * right-most address that is not itself a trusted proxy is the one our own proxies saw.
 */
export function createClientIp(trustedProxies: readonly string[]) {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(address, type);
    else trusted.addSubnet(address, Number(prefix), type);
  }
  const isTrusted = (address: string) => {
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };

  return (peer: string | undefined, forwardedFor: string | undefined): string | undefined => {
    if (peer === undefined) return undefined;
    const direct = plain(peer);
    if (trustedProxies.length === 0 || !forwardedFor || !isTrusted(direct)) return direct;
    const hops = forwardedFor
      .split(',')
      .map((a) => plain(a.trim()))
      .filter((a) => a.length > 0);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      // A hop that is not an address at all was written by someone we cannot trust: stop there.
      if (isIP(hop) === 0) return direct;
      if (!isTrusted(hop)) return hop;
    }
    // Every hop is one of our proxies: the left-most is the closest we know to the client.
    return hops[0] ?? direct;
  };
}
