/**
 * The connector kind for inbound webhooks (`POST /webhooks/in/:token`). It is a source, not a
 * destination, so it has no entry in the registry: the hub validates and serves it, and
 * connectorSync leaves it alone.
 */
export const INBOUND_KIND = 'inbound';
