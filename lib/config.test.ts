import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('applies defaults with nothing set (embedded mode)', () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
    expect(c.HUB_PORT).toBe(3000);
    expect(c.HUB_ALLOW_PRIVATE_TARGETS).toBe(false);
  });

  it('parses values and treats empty strings as unset', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@h:5432/db',
      HUB_PORT: '8080',
      HUB_ALLOW_PRIVATE_TARGETS: 'true',
      TEMPORAL_ADDRESS: '',
    });
    expect(c).toMatchObject({ DATABASE_URL: 'postgres://u@h:5432/db', HUB_PORT: 8080, HUB_ALLOW_PRIVATE_TARGETS: true });
    expect(c.TEMPORAL_ADDRESS).toBeUndefined();
  });

  it('dispatches by default; HUB_DISPATCH takes only on or off', () => {
    expect(loadConfig({}).HUB_DISPATCH).toBe('on');
    expect(loadConfig({ HUB_DISPATCH: 'off' }).HUB_DISPATCH).toBe('off');
    expect(() => loadConfig({ HUB_DISPATCH: 'paused' })).toThrow(/HUB_DISPATCH/);
  });

  it('fails with one readable message naming every bad variable', () => {
    let error: unknown;
    try {
      loadConfig({
        DATABASE_URL: 'mysql://x',
        HUB_PORT: 'eighty',
        TEMPORAL_ADDRESS: 'no-port',
        LOG_LEVEL: 'loud',
        HUB_BOOTSTRAP_API_KEY: 'short',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.startsWith('Invalid configuration:')).toBe(true);
    for (const name of ['DATABASE_URL', 'HUB_PORT', 'TEMPORAL_ADDRESS', 'LOG_LEVEL', 'HUB_BOOTSTRAP_API_KEY'])
      expect(message).toContain(name);
    expect(message).not.toContain('short'); // values (possibly secrets) are not echoed
  });

  it('HUB_TRUSTED_PROXIES: comma-separated IPs and CIDR blocks, anything else refused', () => {
    expect(loadConfig({}).HUB_TRUSTED_PROXIES).toEqual([]);
    expect(loadConfig({ HUB_TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.5,fd00::/8,::1' }).HUB_TRUSTED_PROXIES).toEqual([
      '10.0.0.0/8',
      '192.168.1.5',
      'fd00::/8',
      '::1',
    ]);
    for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/2', '300.1.1.1', 'fd00::/129']) {
      expect(() => loadConfig({ HUB_TRUSTED_PROXIES: bad }), bad).toThrow(/HUB_TRUSTED_PROXIES/);
    }
  });
});
