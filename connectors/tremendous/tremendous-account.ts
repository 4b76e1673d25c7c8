import type { ConnectorRuntime } from '../connector.js';
import type { TremendousApi } from './create-tremendous-api.js';
import type { TremendousOrderSettings } from './to-tremendous-order.js';

/** What pay and status share for one connector: the SDK, where it points, and what to redact. */
export interface TremendousAccount {
  api: TremendousApi;
  baseUrl: string;
  order: TremendousOrderSettings;
  runtime: ConnectorRuntime;
  /** The API key, kept out of every message. */
  redact: readonly string[];
}
