import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FtpSrv } from 'ftp-srv';
import { generateTestCertificate } from './test-certificate.js';

export interface FtpsTestServerOptions {
  username: string;
  password: string;
}

export interface FtpsTestServer {
  port: number;
  /** The real directory on disk that logged-in users see as `/`. */
  root: string;
  /** PEM of the server's self-signed certificate: the CA a client must trust. */
  caPem: string;
  close(): Promise<void>;
}

/** ftp-srv insists on a bunyan-style logger; tests want silence. */
const silentLog = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
  child() {
    return silentLog;
  },
};

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;

/**
 * A real FTP server on 127.0.0.1 (random port) that offers explicit TLS (AUTH TLS) with a
 * self-signed certificate and refuses to log anyone in over a plain connection.
 */
export async function startFtpsTestServer(options: FtpsTestServerOptions): Promise<FtpsTestServer> {
  const root = await mkdtemp(join(tmpdir(), 'hub-ftps-'));
  const { key, cert } = await generateTestCertificate();
  // ftp-srv probes passive ports upward from pasv_min; a random window keeps parallel test
  // files from racing for the same ports.
  const pasvMin = 40_000 + Math.floor(Math.random() * 20_000);

  const listenersBefore = new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
  const ftp = new FtpSrv({
    url: 'ftp://127.0.0.1:0',
    pasv_url: '127.0.0.1',
    pasv_min: pasvMin,
    pasv_max: pasvMin + 200,
    tls: { key, cert },
    anonymous: false,
    log: silentLog,
  });
  // ftp-srv installs signal handlers that call process.exit(); a test helper must not.
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!listenersBefore.get(signal)?.includes(listener)) process.removeListener(signal, listener);
    }
  }

  ftp.on('login', ({ connection, username, password }, resolve, reject) => {
    // The rejection message becomes the text of a 530 reply.
    if (!connection.secure) return reject(new Error('TLS required: send AUTH TLS before logging in'));
    if (username !== options.username || password !== options.password) {
      return reject(new Error('Invalid username or password'));
    }
    return resolve({ root });
  });
  ftp.on('client-error', () => undefined);

  await ftp.listen();
  // ftp-srv does not expose the bound port; its net.Server does.
  const { port } = (ftp as unknown as { server: Server }).server.address() as AddressInfo;

  return {
    port,
    root,
    caPem: cert,
    async close() {
      await ftp.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
