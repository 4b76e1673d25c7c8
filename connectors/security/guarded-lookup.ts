import dns from 'node:dns';
import net from 'node:net';
import { ConnectorError } from '../connector.js';
import { ALLOW_PRIVATE_HINT, classifyAddress } from './classify-address.js';

export interface GuardedLookupOptions {
  allowPrivate: boolean;
  /** Injected resolver (tests: no real DNS); by default dns.lookup with the caller's family and hints. */
  lookup?: (host: string) => Promise<string[]>;
}

function wantedFamily(family: dns.LookupOptions['family']): 0 | 4 | 6 {
  if (family === 4 || family === 'IPv4') return 4;
  if (family === 6 || family === 'IPv6') return 6;
  return 0;
}

async function resolveEntries(
  hostname: string,
  lookupOptions: dns.LookupOptions,
  inject: GuardedLookupOptions['lookup'],
): Promise<dns.LookupAddress[]> {
  const family = wantedFamily(lookupOptions.family);
  if (!inject) return dns.promises.lookup(hostname, { family, hints: lookupOptions.hints, all: true });
  const entries = (await inject(hostname)).map((address) => ({ address, family: net.isIP(address) }));
  return entries.filter((entry) => entry.family !== 0 && (family === 0 || entry.family === family));
}

/**
 * A `lookup` for http.Agent / axios that refuses private addresses at connect time. The URL check
 * runs before the request, but DNS can answer differently a moment later (rebinding); this sees
 * the addresses the socket will really use. IP-literal hosts never reach a lookup, so the URL
 * check (ssrf-guard) stays necessary.
 */
export function createGuardedLookup(options: GuardedLookupOptions): net.LookupFunction {
  return (hostname, lookupOptions, callback) => {
    resolveEntries(hostname, lookupOptions, options.lookup).then(
      (entries) => {
        if (entries.length === 0) {
          const notFound: NodeJS.ErrnoException = new Error(`target host ${hostname} has no usable addresses`);
          notFound.code = 'ENOTFOUND';
          callback(notFound, '');
          return;
        }
        if (!options.allowPrivate) {
          for (const { address } of entries) {
            const blocked = classifyAddress(address);
            if (blocked) {
              callback(
                new ConnectorError('invalid', `target ${hostname} resolves to ${address}, ${blocked.description} (${ALLOW_PRIVATE_HINT})`),
                '',
              );
              return;
            }
          }
        }
        const [first] = entries;
        if (lookupOptions.all || !first) callback(null, entries);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };
}
