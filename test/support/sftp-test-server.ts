import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { Connection, ParsedKey } from 'ssh2';
import { generateEd25519KeyPair } from './generate-ed25519-key-pair.js';
import { serveSftpDirectory } from './sftp-directory-handlers.js';

const { Server, utils } = ssh2;

export interface SftpTestServerOptions {
  username: string;
  /** Accepted password; omit to refuse password logins. */
  password?: string;
  /** Accepted public key (OpenSSH `ssh-ed25519 AAAA…` line); omit to refuse key logins. */
  publicKey?: string;
}

export interface SftpTestServer {
  port: number;
  /** The real directory on disk that the server exposes as `/`. */
  root: string;
  /** SHA-256 of the host key blob, base64 without padding (what `ssh-keygen -l` prints after `SHA256:`). */
  hostKeySha256: string;
  close(): Promise<void>;
}

function parseOrThrow(key: string): ParsedKey {
  const parsed = utils.parseKey(key);
  if (parsed instanceof Error) throw parsed;
  return parsed;
}

/** A real SSH server on 127.0.0.1 (random port) that serves a temp directory over SFTP. */
export async function startSftpTestServer(options: SftpTestServerOptions): Promise<SftpTestServer> {
  const root = await mkdtemp(join(tmpdir(), 'hub-sftp-'));
  const hostKey = generateEd25519KeyPair().private;
  const hostKeySha256 = createHash('sha256').update(parseOrThrow(hostKey).getPublicSSH()).digest('base64').replace(/=+$/, '');
  const allowedKey = options.publicKey ? parseOrThrow(options.publicKey) : undefined;
  const clients = new Set<Connection>();

  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on('close', () => clients.delete(client));
    // Clients that drop the connection (e.g. after refusing our host key) raise ECONNRESET here.
    client.on('error', () => undefined);

    client.on('authentication', (ctx) => {
      if (ctx.username !== options.username) return ctx.reject();
      if (ctx.method === 'password' && options.password !== undefined && ctx.password === options.password) {
        return ctx.accept();
      }
      if (ctx.method === 'publickey' && allowedKey) {
        if (ctx.key.algo !== allowedKey.type || !ctx.key.data.equals(allowedKey.getPublicSSH())) return ctx.reject();
        // Without a signature the client is only asking whether this key would be accepted.
        if (!ctx.signature || !ctx.blob) return ctx.accept();
        return allowedKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) ? ctx.accept() : ctx.reject();
      }
      const methods: Array<'password' | 'publickey'> = [];
      if (options.password !== undefined) methods.push('password');
      if (allowedKey) methods.push('publickey');
      return ctx.reject(methods);
    });

    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        acceptSession().on('sftp', (acceptSftp) => serveSftpDirectory(acceptSftp(), root));
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    port,
    root,
    hostKeySha256,
    async close() {
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
