import { ConnectorError, type ConnectorRuntime } from '../../connectors/connector.js';

export interface LoopbackRuntime extends ConnectorRuntime {
  /** Every URL the connector asked the guard about, in order. */
  readonly checkedTargets: string[];
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A connector runtime whose SSRF guard allows loopback only — the opposite of production —
 * so tests can reach local servers while still proving the connector consults the guard.
 */
export function loopbackRuntime(timeoutMs = 5_000): LoopbackRuntime {
  const checkedTargets: string[] = [];
  return {
    timeoutMs,
    checkedTargets,
    async assertTargetAllowed(url: string): Promise<void> {
      checkedTargets.push(url);
      const host = new URL(url).hostname;
      if (!LOOPBACK_HOSTS.has(host)) {
        throw new ConnectorError('invalid', `target ${host} is not allowed in tests (loopback only)`);
      }
    },
  };
}
