import type { ConnectorRuntime } from '../../connectors/connector.js';
import { createSsrfGuard } from '../../connectors/security/ssrf-guard.js';

/** What every connector gets: the SSRF guard (URL check and connect-time lookup) and a timeout. */
export function createConnectorRuntime(opts: {
  allowPrivateTargets: boolean;
  timeoutMs?: number;
  allowUnresolvable?: boolean;
}): ConnectorRuntime {
  const guard = createSsrfGuard({ allowPrivate: opts.allowPrivateTargets, allowUnresolvable: opts.allowUnresolvable });
  return { assertTargetAllowed: guard.assertTargetAllowed, lookup: guard.guardedLookup, timeoutMs: opts.timeoutMs ?? 15_000 };
}
