/** The connector kind for inbound webhooks (`POST /webhooks/in/:token`): a source, flagged `inbound`. */
export const INBOUND_KIND = 'inbound';
