import { createHash, timingSafeEqual } from 'node:crypto';
import { posix } from 'node:path';
import SftpClient from 'ssh2-sftp-client';
import { z } from 'zod';
import {
  ConnectorError,
  type ConnectorConfig,
  type ConnectorDefinition,
  type ConnectorInstance,
  type ConnectorRuntime,
  type OutboundFile,
} from '../connector.js';
import { classifySftpError, type SftpFailureContext } from './classify-sftp-error.js';
import { hostKeySha256 } from './host-key-sha256.js';
import { remoteFileName } from '../files/remote-file-name.js';

const settingsSchema = z
  .object({
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().min(1),
    directory: z.string().min(1).describe('Remote directory files are written to, e.g. /incoming'),
    hostKeySha256: z
      .string()
      .refine((pin) => hostKeySha256(pin) !== null, {
        message: 'must be the SHA-256 of the server host key: base64 (as printed by ssh-keygen -l) or 64 hex digits',
      })
      .optional()
      .describe('Pins the server host key; connections to any other key are refused'),
  })
  .strict();

const secretsSchema = z
  .object({
    password: z.string().min(1).optional(),
    privateKey: z.string().min(1).optional().describe('OpenSSH or PEM private key'),
    passphrase: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => s.password !== undefined || s.privateKey !== undefined, {
    message: 'password or privateKey is required',
    path: ['password'],
  })
  .refine((s) => s.passphrase === undefined || s.privateKey !== undefined, {
    message: 'passphrase is only used with privateKey',
    path: ['passphrase'],
  });

type Settings = z.infer<typeof settingsSchema>;
type Secrets = z.infer<typeof secretsSchema>;

/** No-op global callbacks: ssh2-sftp-client's defaults write to the console. */
const QUIET = { error: () => undefined, end: () => undefined, close: () => undefined };

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function createSftp({ settings, secrets }: ConnectorConfig<Settings, Secrets>, runtime: ConnectorRuntime): ConnectorInstance {
  const origin = `sftp://${hostForUrl(settings.host)}:${settings.port}`;
  const pin = settings.hostKeySha256 === undefined ? null : hostKeySha256(settings.hostKeySha256);

  /** Opens one connection, runs `work`, and always closes it; every failure leaves as a ConnectorError. */
  async function withSession<T>(action: string, work: (client: SftpClient) => Promise<T>): Promise<T> {
    await runtime.assertTargetAllowed(origin);
    const client = new SftpClient('referral-hub', QUIET);
    const ctx: SftpFailureContext = { action };
    client.on('error', (err: SftpFailureContext['sshError']) => {
      ctx.sshError = err;
    });
    try {
      await client.connect({
        host: settings.host,
        port: settings.port,
        username: settings.username,
        password: secrets.password,
        privateKey: secrets.privateKey,
        passphrase: secrets.passphrase,
        readyTimeout: runtime.timeoutMs,
        // Detects a dead peer during long uploads instead of hanging until the activity times out.
        keepaliveInterval: Math.max(1_000, Math.floor(runtime.timeoutMs / 3)),
        keepaliveCountMax: 3,
        hostVerifier: pin
          ? (key: Buffer): boolean => {
              const seen = createHash('sha256').update(key).digest();
              if (timingSafeEqual(seen, pin)) return true;
              ctx.rejectedHostKey = seen.toString('base64').replace(/=+$/, '');
              return false;
            }
          : undefined,
      });
      return await work(client);
    } catch (err) {
      throw classifySftpError(err, ctx);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async function assertDirectory(client: SftpClient): Promise<void> {
    const stats = await client.stat(settings.directory).catch((err: unknown) => {
      // ssh2-sftp-client reports NO_SUCH_FILE and FAILURE as ENOENT and PERMISSION_DENIED as 3;
      // anything else (a dropped connection) is left for classifySftpError.
      const code = (err as { code?: unknown }).code;
      if (code === 'ENOENT' || code === 3) {
        throw new ConnectorError('permanent', `SFTP directory "${settings.directory}" does not exist or is not accessible`, {
          cause: err,
        });
      }
      throw err;
    });
    if (!stats.isDirectory) {
      throw new ConnectorError('permanent', `SFTP path "${settings.directory}" is not a directory`);
    }
  }

  /**
   * Moves the finished temp file over the final name. posix-rename@openssh.com replaces the
   * target atomically; plain SFTP v3 RENAME refuses an existing target, so servers without the
   * extension get remove-then-rename (the old file briefly disappears, but no one ever sees a
   * partial file).
   */
  async function replace(client: SftpClient, from: string, to: string): Promise<void> {
    try {
      await client.posixRename(from, to);
      return;
    } catch {
      // Not supported by this server (or refused): fall through to the portable sequence.
    }
    await client.delete(to, true);
    await client.rename(from, to);
  }

  return {
    check: () => withSession('check', assertDirectory),
    fileDestination: {
      async deliver(file: OutboundFile) {
        const name = remoteFileName(file.name);
        const finalPath = posix.join(settings.directory, name);
        // A dot-prefixed ".part" name: partners' pickup jobs ignore it until the rename.
        const tempPath = posix.join(settings.directory, `.${name}.part`);
        return withSession(`upload of ${name}`, async (client) => {
          await assertDirectory(client);
          await client.put(file.content, tempPath, { writeStreamOptions: { flags: 'w', mode: 0o644 } });
          await replace(client, tempPath, finalPath);
          return { location: `${origin}${finalPath.startsWith('/') ? '' : '/'}${finalPath}` };
        });
      },
    },
  };
}

export const sftpConnector: ConnectorDefinition<typeof settingsSchema, typeof secretsSchema> = {
  kind: 'sftp',
  displayName: 'SFTP',
  scheduledFiles: true,
  targets: (settings) => [`sftp://${settings.host}:${settings.port}`],
  settingsSchema,
  secretsSchema,
  create: createSftp,
};
