import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { generateTestCertificate } from './test-certificate.js';

export interface SmtpTestServerOptions {
  /** Required AUTH credentials; omit both to accept mail without authentication. */
  username?: string;
  password?: string;
  /** Offer STARTTLS (default true); false mimics an old relay that only speaks plaintext. */
  starttls?: boolean;
  /** Recipient addresses answered with 550 at RCPT TO (the others are accepted). */
  rejectRecipients?: string[];
}

export interface ReceivedMessage {
  mailFrom: string;
  rcptTo: string[];
  /** Whether the client had upgraded to TLS (STARTTLS) before sending. */
  secure: boolean;
  /** The RFC 5322 message exactly as received. */
  raw: Buffer;
}

export interface SmtpTestServer {
  port: number;
  /** Accepted messages, in arrival order. */
  messages: ReceivedMessage[];
  /** PEM of the server's self-signed certificate: the CA a client must trust. */
  caPem: string;
  /** Makes the server answer the next message's DATA with this reply instead of accepting it. */
  failNext(responseCode: number, message?: string): void;
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (random port) offering STARTTLS with a self-signed
 * certificate and AUTH PLAIN/LOGIN, which it only allows after TLS (as public servers do).
 */
export async function startSmtpTestServer(options: SmtpTestServerOptions = {}): Promise<SmtpTestServer> {
  const { key, cert } = await generateTestCertificate();
  const messages: ReceivedMessage[] = [];
  const pendingFailures: Array<{ responseCode: number; message: string }> = [];
  const requireAuth = options.username !== undefined;

  const server = new SMTPServer({
    secure: false,
    key,
    cert,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: !requireAuth,
    allowInsecureAuth: options.starttls === false,
    disabledCommands: options.starttls === false ? ['STARTTLS'] : [],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1_000,
    onAuth(auth, _session, callback) {
      if (requireAuth && auth.username === options.username && auth.password === options.password) {
        return callback(null, { user: auth.username });
      }
      // smtp-server answers a failed login with 535.
      return callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (options.rejectRecipients?.includes(address.address)) {
        return callback(Object.assign(new Error('No such user here'), { responseCode: 550 }));
      }
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const failure = pendingFailures.shift();
        if (failure) {
          return callback(Object.assign(new Error(failure.message), { responseCode: failure.responseCode }));
        }
        const mailFrom = session.envelope.mailFrom;
        messages.push({
          mailFrom: mailFrom ? mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          secure: session.secure,
          raw: Buffer.concat(chunks),
        });
        return callback(null);
      });
    },
  });
  server.on('error', () => undefined);

  const listener = server.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as AddressInfo;

  return {
    port,
    messages,
    caPem: cert,
    failNext(responseCode, message = responseCode < 500 ? 'Try again later' : 'Message rejected') {
      pendingFailures.push({ responseCode, message });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
