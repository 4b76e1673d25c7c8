import { readFileSync } from 'node:fs';
import type { Config } from './config.js';

/**
 * Connection options shared by the client (hub) and the worker: a local dev server needs only
 * an address; Temporal Cloud needs TLS and an API key or client certificate.
 */
export function temporalConnectionOptions(config: Config, address: string) {
  const certPath = config.TEMPORAL_TLS_CERT_PATH;
  const keyPath = config.TEMPORAL_TLS_KEY_PATH;
  const mtls = certPath && keyPath ? { clientCertPair: { crt: readFileSync(certPath), key: readFileSync(keyPath) } } : undefined;
  const tls = mtls ?? (config.TEMPORAL_TLS || config.TEMPORAL_API_KEY ? true : undefined);
  return { address, tls, apiKey: config.TEMPORAL_API_KEY };
}
