import dns from 'node:dns';
import net from 'node:net';
import { ConnectorError } from '../connector.js';
import { ALLOW_PRIVATE_HINT, classifyAddress } from './classify-address.js';
import { createGuardedLookup } from './guarded-lookup.js';

/** Resolves a host name to every address it has (A and AAAA). Injected in tests: no real DNS. */
export type ResolveHost = (host: string) => Promise<string[]>;

/** Every scheme a shipped connector speaks; a caller narrows it for one use. */
export const DEFAULT_ALLOWED_SCHEMES: readonly string[] = ['http', 'https', 'sftp', 'ftps', 'smtp', 'smtps'];

export interface SsrfGuardOptions {
  /** true only for tests and deployments that deliberately target their own network. */
  allowPrivate: boolean;
  /** URL schemes without the colon, e.g. ['https']. Defaults to DEFAULT_ALLOWED_SCHEMES. */
  allowedSchemes?: readonly string[];
  lookup?: ResolveHost;
  /**
   * Accept a name that does not resolve right now. For saving configuration: such a name is no
   * private target today, and the connect-time guarded lookup re-checks every address it gets.
   */
  allowUnresolvable?: boolean;
}

export interface SsrfGuard {
  /** Throws ConnectorError('invalid') for refused schemes and hosts; 'transient' when DNS is down. */
  assertTargetAllowed(url: string): Promise<void>;
  /** For http.Agent({ lookup }) / axios `lookup`: re-checks the addresses actually connected to. */
  guardedLookup: net.LookupFunction;
}

export const resolveAllAddresses: ResolveHost = async (host) =>
  (await dns.promises.lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

const NOT_FOUND_CODES = new Set(['ENOTFOUND', 'ENODATA', 'EAI_NONAME']);

function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * Host of a URL with IPv4 spellings normalised. Only "special" schemes (http, https, ftp) get
 * WHATWG host parsing; sftp/smtp hosts stay opaque ("0x7f.1"), yet getaddrinfo would still read
 * them as 127.0.0.1 — so the host is re-parsed as if it were an http URL.
 */
function normalisedHost(parsed: URL): string | undefined {
  if (!parsed.hostname) return undefined;
  try {
    return new URL(`http://${parsed.host}/`).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return undefined;
  }
}

function invalid(message: string, cause?: unknown): ConnectorError {
  return new ConnectorError('invalid', message, { cause });
}

/** Outbound target check for every connector, built once per hub from its config. */
export function createSsrfGuard(options: SsrfGuardOptions): SsrfGuard {
  const schemes = new Set((options.allowedSchemes ?? DEFAULT_ALLOWED_SCHEMES).map((s) => s.toLowerCase().replace(/:$/, '')));
  const lookup = options.lookup ?? resolveAllAddresses;

  async function resolve(host: string): Promise<string[]> {
    try {
      const addresses = await lookup(host);
      if (addresses.length === 0) throw invalid(`target host ${host} has no addresses`);
      return addresses;
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (code && NOT_FOUND_CODES.has(code)) throw invalid(`target host ${host} does not resolve (${code})`, error);
      // Anything else (EAI_AGAIN, a timeout) is the resolver failing, not the configuration.
      throw new ConnectorError('transient', `could not resolve target host ${host}${code ? ` (${code})` : ''}`, { cause: error });
    }
  }

  async function assertTargetAllowed(url: string): Promise<void> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch (error) {
      throw invalid('target URL is not a valid absolute URL', error);
    }
    const scheme = parsed.protocol.replace(/:$/, '');
    if (!schemes.has(scheme)) {
      throw invalid(`target scheme "${scheme}" is not allowed (allowed: ${[...schemes].join(', ')})`);
    }
    const host = normalisedHost(parsed);
    if (!host) throw invalid('target URL has no valid host');
    const shown = host === parsed.hostname || `[${host}]` === parsed.hostname ? host : `${parsed.hostname} (${host})`;

    if (net.isIP(host)) {
      const blocked = options.allowPrivate ? undefined : classifyAddress(host);
      if (blocked) throw invalid(`target ${shown} is ${blocked.description} (${ALLOW_PRIVATE_HINT})`);
      return;
    }
    if (isLocalhostName(host) && !options.allowPrivate) {
      throw invalid(`target ${host} is a loopback name (${ALLOW_PRIVATE_HINT})`);
    }
    // Resolved even when private targets are allowed, so check() reports a host that does not exist.
    let addresses: string[];
    try {
      addresses = await resolve(host);
    } catch (error) {
      if (options.allowUnresolvable && error instanceof ConnectorError && /resolve/.test(error.message)) return;
      throw error;
    }
    if (options.allowPrivate) return;
    for (const address of addresses) {
      const blocked = classifyAddress(address);
      // One bad address refuses the host: the connection may pick any of them.
      if (blocked) throw invalid(`target ${host} resolves to ${address}, ${blocked.description} (${ALLOW_PRIVATE_HINT})`);
    }
  }

  return {
    assertTargetAllowed,
    guardedLookup: createGuardedLookup({ allowPrivate: options.allowPrivate, lookup: options.lookup }),
  };
}
