import { describe, expect, it, vi } from 'vitest';
import { ConnectorError } from '../connector.js';
import { createSsrfGuard, type ResolveHost } from './ssrf-guard.js';

const HINT = '(set HUB_ALLOW_PRIVATE_TARGETS=true to allow)';

/** A fake resolver: tests never touch real DNS. */
function fakeDns(records: Record<string, string[]>): ResolveHost {
  return vi.fn(async (host: string) => {
    const addresses = records[host];
    if (addresses) return addresses;
    throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  });
}

const DNS = fakeDns({
  'internal.example': ['10.0.0.5'],
  'mixed.example': ['93.184.216.34', '127.0.0.1'],
  'v6-private.example': ['fd00::1'],
  'metadata.example': ['::ffff:169.254.169.254'],
  'public.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  localhost: ['127.0.0.1', '::1'],
  'localhost.': ['127.0.0.1'],
  'app.localhost': ['127.0.0.1'],
});

async function refusal(promise: Promise<void>): Promise<ConnectorError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}

const REFUSED = [
  'http://169.254.169.254/latest/meta-data/',
  'http://10.0.0.1/',
  'http://localhost:8080/hook',
  'http://LOCALHOST./hook',
  'https://app.localhost/',
  'http://[::1]:3000/',
  'http://[::ffff:127.0.0.1]/',
  'http://[::ffff:10.0.0.1]/',
  'http://0x7f.1/',
  'http://2130706433/',
  'http://0177.0.0.1/',
  'http://127.1/',
  'http://0/',
  'http://[::]/',
  'http://100.64.0.1/',
  'http://224.0.0.1/',
  'http://255.255.255.255/',
  'http://172.16.5.4/',
  'http://192.168.1.1/',
  'http://[fd12::1]/',
  'http://[fe80::1]/',
  'sftp://0x7f.1:22/upload',
  'smtp://2130706433:25',
  'ftps://[::ffff:7f00:1]:21/',
  'https://internal.example/hook',
  'https://mixed.example/hook',
  'https://v6-private.example/hook',
  'https://metadata.example/hook',
];

describe('createSsrfGuard', () => {
  const strict = createSsrfGuard({ allowPrivate: false, lookup: DNS });
  const lenient = createSsrfGuard({ allowPrivate: true, lookup: DNS });

  it.each(REFUSED)('refuses %s', async (url) => {
    const error = await refusal(strict.assertTargetAllowed(url));
    expect(error.kind).toBe('invalid');
    expect(error.message).toContain(HINT);
  });

  it.each(REFUSED)('allows %s when private targets are allowed', async (url) => {
    await expect(lenient.assertTargetAllowed(url)).resolves.toBeUndefined();
  });

  it('explains the refusal in words an operator can act on', async () => {
    expect((await refusal(strict.assertTargetAllowed('http://10.0.0.1/x'))).message).toBe(`target 10.0.0.1 is a private address ${HINT}`);
    expect((await refusal(strict.assertTargetAllowed('http://169.254.169.254/'))).message).toBe(
      `target 169.254.169.254 is a link-local address (cloud metadata service) ${HINT}`,
    );
    expect((await refusal(strict.assertTargetAllowed('sftp://0x7f.1/'))).message).toBe(
      `target 0x7f.1 (127.0.0.1) is a loopback address ${HINT}`,
    );
    expect((await refusal(strict.assertTargetAllowed('http://[::ffff:10.0.0.1]/'))).message).toBe(
      `target ::ffff:a00:1 is a private address (IPv4 10.0.0.1 inside IPv6) ${HINT}`,
    );
    expect((await refusal(strict.assertTargetAllowed('https://mixed.example/'))).message).toBe(
      `target mixed.example resolves to 127.0.0.1, a loopback address ${HINT}`,
    );
    expect((await refusal(strict.assertTargetAllowed('http://localhost/'))).message).toBe(`target localhost is a loopback name ${HINT}`);
  });

  it('allows public addresses and names that resolve only to public addresses', async () => {
    await expect(strict.assertTargetAllowed('https://93.184.216.34/hook')).resolves.toBeUndefined();
    await expect(strict.assertTargetAllowed('https://[2606:4700:4700::1111]/hook')).resolves.toBeUndefined();
    await expect(strict.assertTargetAllowed('https://public.example/hook?x=1')).resolves.toBeUndefined();
    await expect(strict.assertTargetAllowed('sftp://public.example:22/in')).resolves.toBeUndefined();
  });

  it('does not resolve IP literals', async () => {
    const lookup = vi.fn<ResolveHost>(async () => ['10.0.0.1']);
    const guard = createSsrfGuard({ allowPrivate: false, lookup });
    await guard.assertTargetAllowed('https://8.8.8.8/');
    expect(lookup).not.toHaveBeenCalled();
    await expect(guard.assertTargetAllowed('https://named.example/')).rejects.toThrow('resolves to 10.0.0.1');
    expect(lookup).toHaveBeenCalledWith('named.example');
  });

  it('refuses schemes outside the allowed list', async () => {
    for (const url of ['file:///etc/passwd', 'gopher://93.184.216.34/', 'ftp://93.184.216.34/', 'javascript:alert(1)']) {
      const error = await refusal(strict.assertTargetAllowed(url));
      expect(error.kind).toBe('invalid');
      expect(error.message).toMatch(/^target scheme ".+" is not allowed/);
    }
    const httpsOnly = createSsrfGuard({ allowPrivate: true, allowedSchemes: ['https:'], lookup: DNS });
    await expect(httpsOnly.assertTargetAllowed('https://93.184.216.34/')).resolves.toBeUndefined();
    await expect(httpsOnly.assertTargetAllowed('http://93.184.216.34/')).rejects.toThrow(
      'target scheme "http" is not allowed (allowed: https)',
    );
  });

  it('refuses text that is not an absolute URL', async () => {
    expect((await refusal(strict.assertTargetAllowed('not a url'))).kind).toBe('invalid');
    expect((await refusal(strict.assertTargetAllowed('/relative/path'))).kind).toBe('invalid');
  });

  it('reports a missing host as invalid and a failing resolver as transient', async () => {
    const missing = await refusal(strict.assertTargetAllowed('https://nowhere.example/'));
    expect(missing.kind).toBe('invalid');
    expect(missing.message).toBe('target host nowhere.example does not resolve (ENOTFOUND)');

    const flaky = createSsrfGuard({
      allowPrivate: false,
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });
      },
    });
    const down = await refusal(flaky.assertTargetAllowed('https://public.example/'));
    expect(down.kind).toBe('transient');
    expect(down.retryable).toBe(true);

    const empty = createSsrfGuard({ allowPrivate: false, lookup: async () => [] });
    expect((await refusal(empty.assertTargetAllowed('https://public.example/'))).kind).toBe('invalid');
  });

  it('still resolves names when private targets are allowed, so a typo is caught', async () => {
    expect((await refusal(lenient.assertTargetAllowed('https://nowhere.example/'))).kind).toBe('invalid');
  });
});
