import type { ConnectorDefinition } from './connector.js';
import { emailConnector } from './email/email-connector.js';
import { ftpsConnector } from './ftps/ftps-connector.js';
import { hubspotConnector } from './hubspot/hubspot-connector.js';
import { inboundConnector } from './inbound/inbound-connector.js';
import { mailchimpConnector } from './mailchimp/mailchimp-connector.js';
import { manualConnector } from './manual/manual-connector.js';
import { paypalConnector } from './paypal/paypal-connector.js';
import { sailthruConnector } from './sailthru/sailthru-connector.js';
import { tangocardConnector } from './tangocard/tangocard-connector.js';
import { tremendousConnector } from './tremendous/tremendous-connector.js';
import { salesforceConnector } from './salesforce/salesforce-connector.js';
import { sftpConnector } from './sftp/sftp-connector.js';
import { webhookConnector } from './webhook/webhook-connector.js';
import { zapierHookConnector } from './zapier/zapier-hook-connector.js';

/** Every connector kind the hub offers: one line per system. */
export const CONNECTORS: readonly ConnectorDefinition[] = [
  webhookConnector,
  zapierHookConnector,
  hubspotConnector,
  salesforceConnector,
  mailchimpConnector,
  sailthruConnector,
  sftpConnector,
  ftpsConnector,
  emailConnector,
  inboundConnector,
  paypalConnector,
  tremendousConnector,
  tangocardConnector,
  manualConnector,
] as ConnectorDefinition[];

export function connectorDefinition(kind: string): ConnectorDefinition | undefined {
  return CONNECTORS.find((c) => c.kind === kind);
}
