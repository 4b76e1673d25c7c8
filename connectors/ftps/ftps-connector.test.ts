import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'basic-ftp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { startFtpsTestServer, type FtpsTestServer } from '../../test/support/ftps-test-server.js';
import { loopbackRuntime } from '../../test/support/loopback-runtime.js';
import { generateTestCertificate } from '../../test/support/test-certificate.js';
import type { OutboundFile } from '../connector.js';
import { ftpsConnector, isPlainFtpRequested } from './ftps-connector.js';

const USER = 'partner';
const PASSWORD = 'ftps-secret-42';

let server: FtpsTestServer;
let otherCaPem: string;

beforeAll(async () => {
  server = await startFtpsTestServer({ username: USER, password: PASSWORD });
  await mkdir(join(server.root, 'incoming'));
  otherCaPem = (await generateTestCertificate()).cert;
});

afterAll(async () => {
  await server?.close();
});

function connector(settings: Record<string, unknown> = {}, password = PASSWORD) {
  const runtime = loopbackRuntime();
  const instance = ftpsConnector.create(
    {
      settings: ftpsConnector.settingsSchema.parse({
        host: '127.0.0.1',
        port: server.port,
        username: USER,
        directory: '/incoming',
        caCertificate: server.caPem,
        ...settings,
      }),
      secrets: ftpsConnector.secretsSchema.parse({ password }),
    },
    runtime,
  );
  return { instance, runtime, deliver: (file: OutboundFile) => instance.fileDestination!.deliver(file) };
}

function csv(name: string, text: string): OutboundFile {
  return { name, content: Buffer.from(text), contentType: 'text/csv' };
}

describe('ftps connector', () => {
  it('uploads the exact bytes over explicit TLS under the final name', async () => {
    const { deliver, instance, runtime } = connector();
    // CRLF, bare LF, UTF-8 and high bytes: an ASCII-mode transfer would rewrite some of them.
    const content = Buffer.concat([Buffer.from('email,name\r\nbo@example.com,Zoë\n'), Buffer.from([0, 13, 255])]);

    await instance.check();
    const result = await deliver({ name: 'referrals-1.csv', content, contentType: 'text/csv' });

    expect(result.location).toBe(`ftps://127.0.0.1:${server.port}/incoming/referrals-1.csv`);
    expect(await readFile(join(server.root, 'incoming', 'referrals-1.csv'))).toEqual(content);
    expect(await readdir(join(server.root, 'incoming'))).toEqual(['referrals-1.csv']);
    expect(runtime.checkedTargets).toEqual([`ftps://127.0.0.1:${server.port}`, `ftps://127.0.0.1:${server.port}`]);
  });

  it('re-delivering the same name replaces the file instead of adding another', async () => {
    const { deliver } = connector();
    await deliver(csv('run-7.csv', 'id\n1\n2\n3\n'));
    await deliver(csv('run-7.csv', 'id\n1\n'));

    const names = (await readdir(join(server.root, 'incoming'))).filter((n) => n.includes('run-7'));
    expect(names).toEqual(['run-7.csv']);
    expect(await readFile(join(server.root, 'incoming', 'run-7.csv'), 'utf8')).toBe('id\n1\n');
  });

  it('a wrong password is an auth failure', async () => {
    const { instance } = connector({}, 'wrong-password');
    const error = await connectorFailure(instance.check());
    expect(error.kind).toBe('auth');
    expect(error.status).toBe(530);
    expect(error.message).not.toContain('wrong-password');
  });

  it('checks the certificate by default: a server signed by another CA is refused', async () => {
    const { deliver } = connector({ caCertificate: otherCaPem });
    const error = await connectorFailure(deliver(csv('untrusted.csv', 'a\n')));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('certificate');
    expect(await readdir(join(server.root, 'incoming'))).not.toContain('untrusted.csv');
  });

  it('without a CA setting the self-signed server is refused, and only rejectUnauthorized:false accepts it', async () => {
    expect((await connectorFailure(connector({ caCertificate: undefined }).instance.check())).kind).toBe('auth');
    await connector({ caCertificate: undefined, rejectUnauthorized: false }).instance.check();
  });

  it('a missing directory is a non-retryable failure', async () => {
    const { instance, deliver } = connector({ directory: '/nope' });
    const checkError = await connectorFailure(instance.check());
    expect(checkError.kind).toBe('permanent');
    expect(checkError.retryable).toBe(false);
    expect(checkError.message).toContain('/nope');
    expect((await connectorFailure(deliver(csv('x.csv', 'a\n')))).retryable).toBe(false);
  });

  it('the test server refuses a plain-text login, like a server that requires TLS', async () => {
    const client = new Client(5_000);
    try {
      const attempt = client.access({ host: '127.0.0.1', port: server.port, user: USER, password: PASSWORD, secure: false });
      await expect(attempt).rejects.toMatchObject({ code: 530 });
    } finally {
      client.close();
    }
  });

  it('refuses "protocol": "ftp" in the schema with a message about plain FTP', () => {
    const settings = { host: 'ftp.example.com', username: 'u', directory: '/in', protocol: 'ftp' };
    const parsed = ftpsConnector.settingsSchema.safeParse(settings);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['protocol']);
    expect(parsed.error?.issues[0]?.message).toMatch(/plain FTP is not supported/);
    expect(isPlainFtpRequested(settings)).toBe(true);
    expect(isPlainFtpRequested({ ...settings, protocol: 'FTP' })).toBe(true);
    expect(isPlainFtpRequested({ ...settings, protocol: 'ftps' })).toBe(false);
    expect(isPlainFtpRequested(null)).toBe(false);
  });

  it('defaults to port 21 with certificate checks on', () => {
    const parsed = ftpsConnector.settingsSchema.parse({ host: 'ftp.example.com', username: 'u', directory: '/in', protocol: 'ftps' });
    expect(parsed).toMatchObject({ port: 21, rejectUnauthorized: true });
    expect(ftpsConnector.secretsSchema.safeParse({}).success).toBe(false);
  });
});
