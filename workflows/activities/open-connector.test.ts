import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../../connectors/security/secret-box.js';
import { deriveSecretKey } from '../../lib/secret-key.js';
import { loopbackRuntime } from '../../test/support/loopback-runtime.js';
import { openConnector, type ConnectorRow } from './open-connector.js';

const box = createSecretBox(deriveSecretKey('open-connector-test'));

function row(kind: string, settings: Record<string, unknown>, secrets: Record<string, unknown>): ConnectorRow {
  const id = `con_${kind}`;
  const now = new Date();
  return {
    id,
    kind,
    name: kind,
    settings,
    secretsSealed: box.sealJson(secrets, id),
    events: [],
    programIds: [],
    enabled: true,
    status: 'active',
    statusReason: null,
    consecutiveFailures: 0,
    mapping: null,
    inboundToken: null,
    createdAt: now,
    updatedAt: now,
  };
}

describe('openConnector', () => {
  it('opens a connector saved before its settings were strict: unknown stored keys are ignored, not fatal', () => {
    const secrets = { signingSecret: `whsec_${Buffer.alloc(32, 1).toString('base64')}` };
    const opened = openConnector(row('webhook', { url: 'http://127.0.0.1:9/hook', legacyTypo: true }, secrets), box, loopbackRuntime());
    expect(opened.definition.kind).toBe('webhook');
    expect(opened.instance).toBeDefined();
  });

  it('still refuses stored settings that break the schema', () => {
    expect(() => openConnector(row('webhook', { url: 'not a url' }, {}), box, loopbackRuntime())).toThrow();
  });
});
