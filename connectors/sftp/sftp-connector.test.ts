import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { loopbackRuntime } from '../../test/support/loopback-runtime.js';
import { startSftpTestServer, type SftpTestServer } from '../../test/support/sftp-test-server.js';
import type { OutboundFile } from '../connector.js';
import { sftpConnector } from './sftp-connector.js';
import { generateEd25519KeyPair } from '../../test/support/generate-ed25519-key-pair.js';

const USER = 'partner';
const PASSWORD = 'correct horse battery staple';
const KEY_PASSPHRASE = 'key passphrase';
const clientKey = generateEd25519KeyPair({
  passphrase: KEY_PASSPHRASE,
  cipher: 'aes256-ctr',
  rounds: 4,
});

let server: SftpTestServer;

beforeAll(async () => {
  server = await startSftpTestServer({ username: USER, password: PASSWORD, publicKey: clientKey.public });
  await mkdir(join(server.root, 'incoming'));
});

afterAll(async () => {
  await server?.close();
});

function connector(settings: Record<string, unknown> = {}, secrets: Record<string, unknown> = { password: PASSWORD }) {
  const runtime = loopbackRuntime();
  const instance = sftpConnector.create(
    {
      settings: sftpConnector.settingsSchema.parse({
        host: '127.0.0.1',
        port: server.port,
        username: USER,
        directory: '/incoming',
        ...settings,
      }),
      secrets: sftpConnector.secretsSchema.parse(secrets),
    },
    runtime,
  );
  return { instance, runtime, deliver: (file: OutboundFile) => instance.fileDestination!.deliver(file) };
}

function csv(name: string, text: string): OutboundFile {
  return { name, content: Buffer.from(text), contentType: 'text/csv' };
}

describe('sftp connector', () => {
  it('uploads the exact bytes under the final name and leaves no temp file', async () => {
    const { deliver, runtime } = connector();
    // Bytes that text-mode transfers or encodings would mangle: CRLF, UTF-8, NUL, 0xff.
    const content = Buffer.concat([Buffer.from('email,name\r\nann@example.com,Zoë\r\n'), Buffer.from([0, 255, 10])]);

    const result = await deliver({ name: 'referrals-1.csv', content, contentType: 'text/csv' });

    expect(result.location).toBe(`sftp://127.0.0.1:${server.port}/incoming/referrals-1.csv`);
    expect(await readFile(join(server.root, 'incoming', 'referrals-1.csv'))).toEqual(content);
    expect(await readdir(join(server.root, 'incoming'))).toEqual(['referrals-1.csv']);
    expect(runtime.checkedTargets).toEqual([`sftp://127.0.0.1:${server.port}`]);
  });

  it('re-delivering the same name replaces the file instead of adding another', async () => {
    const { deliver } = connector();
    await deliver(csv('run-7.csv', 'id\n1\n2\n3\n'));
    await deliver(csv('run-7.csv', 'id\n1\n'));

    const names = (await readdir(join(server.root, 'incoming'))).filter((n) => n.includes('run-7'));
    expect(names).toEqual(['run-7.csv']);
    expect(await readFile(join(server.root, 'incoming', 'run-7.csv'), 'utf8')).toBe('id\n1\n');
  });

  it('logs in with an encrypted private key', async () => {
    const { instance, deliver } = connector({}, { privateKey: clientKey.private, passphrase: KEY_PASSPHRASE });
    await instance.check();
    await deliver(csv('by-key.csv', 'a\n'));
    expect(await readFile(join(server.root, 'incoming', 'by-key.csv'), 'utf8')).toBe('a\n');
  });

  it('a wrong password is an auth failure', async () => {
    const { instance, deliver } = connector({}, { password: 'wrong' });
    const checkError = await connectorFailure(instance.check());
    expect(checkError.kind).toBe('auth');
    expect(checkError.message).not.toContain('wrong');
    expect((await connectorFailure(deliver(csv('x.csv', 'a\n')))).kind).toBe('auth');
  });

  it('a private key with the wrong passphrase is a configuration error', async () => {
    const { instance } = connector({}, { privateKey: clientKey.private, passphrase: 'not it' });
    const error = await connectorFailure(instance.check());
    expect(error.kind).toBe('invalid');
    expect(error.message).not.toContain('not it');
  });

  it('accepts the pinned host key in base64 or hex form, and enforces the hex form too', async () => {
    const hex = Buffer.from(server.hostKeySha256, 'base64').toString('hex');
    const colons = hex.match(/../g)!.join(':');
    for (const [i, pin] of [`SHA256:${server.hostKeySha256}`, hex, colons].entries()) {
      const { instance, deliver } = connector({ hostKeySha256: pin });
      await expect(instance.check()).resolves.toBeUndefined();
      await deliver(csv(`pin-${i}.csv`, `${i}\n`));
      expect(await readFile(join(server.root, 'incoming', `pin-${i}.csv`), 'utf8')).toBe(`${i}\n`);
    }
    // A hex pin of another key must be refused, or the hex form would be a pin that pins nothing.
    const wrongHex = Buffer.alloc(32, 9).toString('hex');
    const error = await connectorFailure(connector({ hostKeySha256: wrongHex }).instance.check());
    expect(error.kind).toBe('auth');
    expect(error.message).toContain(server.hostKeySha256);
  });

  it('refuses a server whose host key does not match the pin', async () => {
    const otherPin = Buffer.alloc(32, 7).toString('base64');
    const { deliver } = connector({ hostKeySha256: otherPin });
    const error = await connectorFailure(deliver(csv('pinned.csv', 'a\n')));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('hostKeySha256');
    expect(error.message).toContain(server.hostKeySha256);
    expect(await readdir(join(server.root, 'incoming'))).not.toContain('pinned.csv');
  });

  it('a missing directory is a non-retryable failure', async () => {
    const { instance, deliver } = connector({ directory: '/nope' });
    const checkError = await connectorFailure(instance.check());
    expect(checkError.kind).toBe('permanent');
    expect(checkError.retryable).toBe(false);
    const deliverError = await connectorFailure(deliver(csv('x.csv', 'a\n')));
    expect(deliverError.retryable).toBe(false);
    expect(deliverError.message).toContain('/nope');
  });

  it('a refused connection is transient', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const error = await connectorFailure(connector({ port }).instance.check());
    expect(error.kind).toBe('transient');
    expect(error.retryable).toBe(true);
  });

  it('asks the SSRF guard before connecting and stops when it refuses', async () => {
    const { instance, runtime } = connector({ host: '10.1.2.3', port: 22 });
    const error = await connectorFailure(instance.check());
    expect(error.kind).toBe('invalid');
    expect(runtime.checkedTargets).toEqual(['sftp://10.1.2.3:22']);
  });

  it('refuses file names that would leave the directory', async () => {
    const { deliver } = connector();
    expect((await connectorFailure(deliver(csv('../escape.csv', 'a\n')))).kind).toBe('invalid');
  });

  it('validates settings and secrets', () => {
    const base = { host: 'sftp.example.com', username: 'u', directory: '/in' };
    expect(sftpConnector.settingsSchema.parse(base).port).toBe(22);
    expect(sftpConnector.settingsSchema.safeParse({ ...base, hostKeySha256: 'abc' }).success).toBe(false);
    expect(sftpConnector.settingsSchema.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(sftpConnector.secretsSchema.safeParse({}).success).toBe(false);
    expect(sftpConnector.secretsSchema.safeParse({ passphrase: 'p' }).success).toBe(false);
    expect(sftpConnector.secretsSchema.safeParse({ privateKey: 'k', passphrase: 'p' }).success).toBe(true);
  });
});
