import { Readable } from 'node:stream';
import { Client, FTPError } from 'basic-ftp';
import { z } from 'zod';
import {
  ConnectorError,
  type ConnectorConfig,
  type ConnectorDefinition,
  type ConnectorInstance,
  type ConnectorRuntime,
  type OutboundFile,
} from '../connector.js';
import { remoteFileName } from '../files/remote-file-name.js';
import { isPlainFtpRequested } from './is-plain-ftp-requested.js';
import { classifyFtpError } from './classify-ftp-error.js';

export { isPlainFtpRequested } from './is-plain-ftp-requested.js';

const noControlChars = (value: string) => !/[\r\n\0]/.test(value);

const settingsSchema = z
  .object({
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65535).default(21),
    username: z.string().min(1).refine(noControlChars, 'must not contain line breaks'),
    directory: z.string().min(1).refine(noControlChars, 'must not contain line breaks'),
    // Only explicit FTPS exists here: credentials and referral data never cross the network in clear.
    protocol: z
      .literal('ftps', {
        error: 'plain FTP is not supported (credentials and data would travel unencrypted); use "ftps" (explicit TLS)',
      })
      .optional(),
    caCertificate: z
      .string()
      .refine((pem) => pem.includes('-----BEGIN CERTIFICATE-----'), 'must be a PEM certificate')
      .optional()
      .describe('PEM of a private CA that signed the server certificate'),
    rejectUnauthorized: z
      .boolean()
      .default(true)
      .describe('Verify the server certificate; turning this off allows anyone on the path to read the data'),
  })
  .strict();

const secretsSchema = z
  .object({
    password: z.string().min(1).refine(noControlChars, 'must not contain line breaks'),
  })
  .strict();

type Settings = z.infer<typeof settingsSchema>;
type Secrets = z.infer<typeof secretsSchema>;

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function createFtps({ settings, secrets }: ConnectorConfig<Settings, Secrets>, runtime: ConnectorRuntime): ConnectorInstance {
  const origin = `ftps://${hostForUrl(settings.host)}:${settings.port}`;

  /** Logs in over explicit TLS, changes into the directory, runs `work`, and always disconnects. */
  async function withSession<T>(action: string, work: (client: Client) => Promise<T>): Promise<T> {
    await runtime.assertTargetAllowed(origin);
    // The timeout applies to every control and data socket wait, not to the whole transfer.
    const client = new Client(runtime.timeoutMs);
    try {
      await client.access({
        host: settings.host,
        port: settings.port,
        user: settings.username,
        password: secrets.password,
        secure: true,
        secureOptions: {
          rejectUnauthorized: settings.rejectUnauthorized,
          ...(settings.caCertificate ? { ca: [settings.caCertificate] } : {}),
          minVersion: 'TLSv1.2',
        },
      });
      await client.cd(settings.directory).catch((err: unknown) => {
        if (err instanceof FTPError && err.code >= 500) {
          throw new ConnectorError(
            'permanent',
            `FTPS directory "${settings.directory}" does not exist or is not accessible (${err.message})`,
            { status: err.code, cause: err },
          );
        }
        throw err;
      });
      return await work(client);
    } catch (err) {
      throw classifyFtpError(err, action);
    } finally {
      client.close();
    }
  }

  return {
    check: () => withSession('check', async () => undefined),
    fileDestination: {
      async deliver(file: OutboundFile) {
        const name = remoteFileName(file.name);
        // A dot-prefixed ".part" name: partners' pickup jobs ignore it until the rename.
        const tempName = `.${name}.part`;
        return withSession(`upload of ${name}`, async (client) => {
          await client.uploadFrom(Readable.from(file.content), tempName);
          try {
            await client.rename(tempName, name);
          } catch (err) {
            // Unix servers replace the target on RNTO; some (IIS) refuse an existing one.
            if (!(err instanceof FTPError) || err.code < 500) throw err;
            await client.remove(name, true);
            await client.rename(tempName, name);
          }
          const dir = settings.directory.replace(/\/+$/, '');
          return { location: `${origin}${dir.startsWith('/') ? '' : '/'}${dir}/${name}` };
        });
      },
    },
  };
}

export const ftpsConnector: ConnectorDefinition<typeof settingsSchema, typeof secretsSchema> = {
  kind: 'ftps',
  displayName: 'FTPS',
  scheduledFiles: true,
  targets: (settings) => [`ftps://${settings.host}:${settings.port}`],
  unsupportedProtocol: (raw) =>
    isPlainFtpRequested(raw)
      ? 'Plain FTP is not supported: credentials and files would travel unencrypted. Use FTPS (explicit TLS).'
      : undefined,
  settingsSchema,
  secretsSchema,
  create: createFtps,
};
