import { extname } from 'node:path';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import {
  ConnectorError,
  type ConnectorConfig,
  type ConnectorDefinition,
  type ConnectorInstance,
  type ConnectorRuntime,
  type OutboundFile,
  type OutboundMessage,
} from '../connector.js';
import { checkOutboundMessage } from './check-outbound-message.js';
import { classifySmtpError } from './classify-smtp-error.js';
import { splitCsv } from './split-csv.js';
import { stableMessageId } from './stable-message-id.js';

const TEN_MB = 10 * 1024 * 1024;

const settingsSchema = z
  .object({
    host: z.string().trim().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    secure: z.boolean().default(false).describe('TLS from the first byte (port 465); otherwise STARTTLS'),
    from: z.email(),
    to: z.array(z.email()).min(1, 'at least one recipient is required'),
    subject: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\r\n]*$/, 'must be a single line')
      .optional()
      .describe('Subject template; {fileName} is replaced with the file name'),
    maxAttachmentBytes: z
      .number()
      .int()
      .min(1024)
      .default(TEN_MB)
      .describe('Largest attachment (raw bytes); larger CSV files are split into several messages'),
    requireTls: z.boolean().default(true).describe('Refuse to send when the server does not offer STARTTLS (files carry personal data)'),
    caCertificate: z
      .string()
      .refine((pem) => pem.includes('-----BEGIN CERTIFICATE-----'), 'must be a PEM certificate')
      .optional()
      .describe('PEM of a private CA that signed the server certificate'),
    rejectUnauthorized: z.boolean().default(true).describe('Verify the server certificate'),
  })
  .strict();

const secretsSchema = z
  .object({
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => (s.username === undefined) === (s.password === undefined), {
    message: 'username and password go together (omit both for servers without authentication)',
    path: ['password'],
  });

type Settings = z.infer<typeof settingsSchema>;
type Secrets = z.infer<typeof secretsSchema>;

interface Part {
  fileName: string;
  content: Buffer;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function isCsv(file: OutboundFile): boolean {
  return /^text\/csv\b/i.test(file.contentType) || extname(file.name).toLowerCase() === '.csv';
}

/** The file itself, or CSV parts named `<base>.part1of3.csv` that each fit the attachment limit. */
function partsOf(file: OutboundFile, maxBytes: number): Part[] {
  if (file.content.length <= maxBytes) return [{ fileName: file.name, content: file.content }];
  if (!isCsv(file)) {
    throw new ConnectorError(
      'permanent',
      `${file.name} is ${file.content.length} bytes, over maxAttachmentBytes (${maxBytes}), and only CSV files can be split`,
    );
  }
  const chunks = splitCsv(file.content, maxBytes);
  const ext = extname(file.name);
  const base = file.name.slice(0, file.name.length - ext.length);
  return chunks.map((content, i) => ({ fileName: `${base}.part${i + 1}of${chunks.length}${ext}`, content }));
}

function createEmail({ settings, secrets }: ConnectorConfig<Settings, Secrets>, runtime: ConnectorRuntime): ConnectorInstance {
  const origin = `smtp://${hostForUrl(settings.host)}:${settings.port}`;

  function transport() {
    return nodemailer.createTransport({
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      requireTLS: !settings.secure && settings.requireTls,
      auth: secrets.username !== undefined ? { user: secrets.username, pass: secrets.password } : undefined,
      tls: {
        rejectUnauthorized: settings.rejectUnauthorized,
        ...(settings.caCertificate ? { ca: [settings.caCertificate] } : {}),
        minVersion: 'TLSv1.2',
      },
      connectionTimeout: runtime.timeoutMs,
      greetingTimeout: runtime.timeoutMs,
      socketTimeout: runtime.timeoutMs,
      logger: false,
      // Attachments are always in-memory buffers; never let message fields read files or URLs.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  /** Runs `work` with a fresh transport and closes it; every failure leaves as a ConnectorError. */
  async function withTransport<T>(action: string, work: (t: ReturnType<typeof transport>) => Promise<T>): Promise<T> {
    await runtime.assertTargetAllowed(origin);
    const t = transport();
    try {
      return await work(t);
    } catch (err) {
      throw classifySmtpError(err, action);
    } finally {
      t.close();
    }
  }

  return {
    check: () =>
      withTransport('check', async (t) => {
        await t.verify();
      }),
    fileDestination: {
      async deliver(file: OutboundFile) {
        const parts = partsOf(file, settings.maxAttachmentBytes);
        const template = settings.subject ?? '{fileName}';
        return withTransport(`delivery of ${file.name}`, async (t) => {
          for (const [i, part] of parts.entries()) {
            const suffix = parts.length > 1 ? ` (part ${i + 1} of ${parts.length})` : '';
            const info = await t.sendMail({
              from: settings.from,
              to: settings.to,
              subject: template.replaceAll('{fileName}', file.name) + suffix,
              messageId: stableMessageId({
                from: settings.from,
                to: settings.to,
                fileName: file.name,
                part: i + 1,
                parts: parts.length,
              }),
              text: `Attached: ${part.fileName} (${part.content.length} bytes)${suffix}.`,
              attachments: [
                {
                  filename: part.fileName,
                  content: part.content,
                  contentType: file.contentType,
                  // Base64 keeps the bytes exact; quoted-printable may rewrite CSV line endings.
                  contentTransferEncoding: 'base64',
                },
              ],
            });
            // Retrying would re-send to the recipients that did accept, so a partial refusal is final.
            if (info.rejected.length > 0) {
              throw new ConnectorError('permanent', `SMTP delivery of ${part.fileName} was refused for ${info.rejected.join(', ')}`);
            }
          }
          return { location: `mailto:${settings.to.join(',')}` };
        });
      },
    },
    // Messages to one person (sign-in links, invites): the same server, TLS and SSRF rules as files.
    mailer: {
      async send(message: OutboundMessage) {
        checkOutboundMessage(message);
        return withTransport('send', async (t) => {
          const info = await t.sendMail({
            from: settings.from,
            to: message.to,
            subject: message.subject,
            text: message.text,
            ...(message.html !== undefined ? { html: message.html } : {}),
            headers: message.headers ?? {},
          });
          if (info.rejected.length > 0) throw new ConnectorError('permanent', `SMTP send was refused for ${info.rejected.join(', ')}`);
          return { messageId: info.messageId };
        });
      },
    },
  };
}

export const emailConnector: ConnectorDefinition<typeof settingsSchema, typeof secretsSchema> = {
  kind: 'email',
  displayName: 'Email (SMTP)',
  scheduledFiles: true,
  targets: (settings) => [`smtp://${settings.host}:${settings.port}`],
  settingsSchema,
  secretsSchema,
  create: createEmail,
};
