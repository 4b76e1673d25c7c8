import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { loopbackRuntime } from '../../test/support/loopback-runtime.js';
import { parseMimeMessage } from '../../test/support/mime-message.js';
import { startSmtpTestServer, type SmtpTestServer } from '../../test/support/smtp-test-server.js';
import type { OutboundMessage } from '../connector.js';
import { emailConnector } from './email-connector.js';

const USER = 'hub@acme.example';
const PASSWORD = 'smtp-secret-17';

let server: SmtpTestServer;

beforeAll(async () => {
  server = await startSmtpTestServer({ username: USER, password: PASSWORD, rejectRecipients: ['gone@friend.example'] });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  server.messages.length = 0;
});

function mailer() {
  const runtime = loopbackRuntime();
  const instance = emailConnector.create(
    {
      settings: emailConnector.settingsSchema.parse({
        host: '127.0.0.1',
        port: server.port,
        from: 'rewards@acme.example',
        // The file recipients: a message to one person must never reach them.
        to: ['ops@acme.example'],
        caCertificate: server.caPem,
      }),
      secrets: { username: USER, password: PASSWORD },
    },
    runtime,
  );
  return { send: instance.mailer!.send, runtime };
}

/** The text of a single-part or multipart/alternative message, quoted-printable undone. */
function bodyText(raw: Buffer): string {
  return raw
    .toString('latin1')
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

describe('email connector mailer', () => {
  it('sends one message to the one recipient over STARTTLS, with text, html and extra headers', async () => {
    const { send, runtime } = mailer();
    const result = await send({
      to: 'bob@friend.example',
      subject: 'Your sign-in link',
      text: 'Open https://hub.example/p/acme/portal/login?token=abc to sign in.',
      html: '<p><a href="https://hub.example/p/acme/portal/login?token=abc">Sign in</a></p>',
      headers: { 'X-Entity-Ref-ID': 'login-1' },
    });

    expect(result.messageId).toMatch(/^<.+@.+>$/);
    expect(runtime.checkedTargets).toEqual([`smtp://127.0.0.1:${server.port}`]);
    expect(server.messages).toHaveLength(1);
    const [message] = server.messages;
    expect(message!.secure).toBe(true);
    expect(message!.mailFrom).toBe('rewards@acme.example');
    expect(message!.rcptTo).toEqual(['bob@friend.example']);
    const parsed = parseMimeMessage(message!.raw);
    expect(parsed.headers.get('subject')).toBe('Your sign-in link');
    expect(parsed.headers.get('x-entity-ref-id')).toBe('login-1');
    expect(parsed.headers.get('content-type')).toMatch(/^multipart\/alternative/);
    const body = bodyText(message!.raw);
    expect(body).toContain('Open https://hub.example/p/acme/portal/login?token=abc to sign in.');
    expect(body).toContain('<a href="https://hub.example/p/acme/portal/login?token=abc">Sign in</a>');
  });

  it('refuses a second recipient, a line break in the subject or a header, and headers it writes itself, sending nothing', async () => {
    const { send } = mailer();
    const base = { to: 'bob@friend.example', subject: 'Hi', text: 'Hello' };
    const refusals: OutboundMessage[] = [
      { ...base, to: 'bob@friend.example, eve@evil.example' },
      { ...base, subject: 'Hi\r\nBcc: eve@evil.example' },
      { ...base, headers: { 'X-Note': 'a\r\nBcc: eve@evil.example' } },
      { ...base, headers: { Bcc: 'eve@evil.example' } },
      { ...base, headers: { 'Bad Name': 'x' } },
    ];
    for (const message of refusals) {
      const error = await connectorFailure(send(message));
      expect(error.kind, JSON.stringify(message)).toBe('invalid');
    }
    expect(server.messages).toHaveLength(0);
  });

  it('a recipient the server refuses is a permanent failure', async () => {
    const error = await connectorFailure(mailer().send({ to: 'gone@friend.example', subject: 'Hi', text: 'Hello' }));
    expect(error.kind).toBe('permanent');
    expect(error.status).toBe(550);
    expect(server.messages).toHaveLength(0);
  });
});
