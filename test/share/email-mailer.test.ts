import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutboundMessage } from '../../connectors/connector.js';
import { emailConnector } from '../../connectors/email/email-connector.js';
import { connectorFailure } from '../support/connector-failure.js';
import { loopbackRuntime } from '../support/loopback-runtime.js';
import { parseMimeMessage } from '../support/mime-message.js';
import { startSmtpTestServer, type SmtpTestServer } from '../support/smtp-test-server.js';

const USER = 'hub@acme.example';
const PASSWORD = 'smtp-secret-29';

let server: SmtpTestServer;

beforeAll(async () => {
  server = await startSmtpTestServer({ username: USER, password: PASSWORD, rejectRecipients: ['gone@friends.example'] });
});
afterAll(async () => {
  await server?.close();
});
beforeEach(() => {
  server.messages.length = 0;
});

function mailerOf(settings: Record<string, unknown> = {}, secrets: Record<string, unknown> = { username: USER, password: PASSWORD }) {
  const runtime = loopbackRuntime();
  const instance = emailConnector.create(
    {
      settings: emailConnector.settingsSchema.parse({
        host: '127.0.0.1',
        port: server.port,
        from: 'friends@acme.example',
        to: ['ops@acme.example'],
        caCertificate: server.caPem,
        ...settings,
      }),
      secrets: emailConnector.secretsSchema.parse(secrets),
    },
    runtime,
  );
  return { mailer: instance.mailer!, runtime };
}

const message = {
  to: 'cy@friends.example',
  subject: 'Ann invited you: Give $10, get $20',
  text: 'Hi Cy,\nAnn thinks you would like Acme — zoë approves.\nhttp://hub.test/r/ANN4K2\n',
  html: '<p>Hi Cy,</p><p><a href="http://hub.test/r/ANN4K2">Ann&#39;s link</a> — zoë approves</p>',
  fromName: 'Acme Friends',
  headers: { 'List-Unsubscribe': '<http://hub.test/u/abc.def>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  messageId: '<eml_1@acme.example>',
};

describe('email connector: mailer.send', () => {
  it('sends one message to one person over STARTTLS with its text, HTML, headers and Message-ID', async () => {
    const { mailer, runtime } = mailerOf();
    const sent = await mailer.send(message);

    expect(sent.messageId).toBe('<eml_1@acme.example>');
    expect(runtime.checkedTargets).toEqual([`smtp://127.0.0.1:${server.port}`]);
    expect(server.messages).toHaveLength(1);
    const [received] = server.messages;
    expect(received!.secure).toBe(true);
    expect(received!.mailFrom).toBe('friends@acme.example');
    expect(received!.rcptTo).toEqual(['cy@friends.example']);
    const parsed = parseMimeMessage(received!.raw);
    expect(parsed.headers.get('from')).toBe('Acme Friends <friends@acme.example>');
    expect(parsed.headers.get('to')).toBe('cy@friends.example');
    expect(parsed.headers.get('subject')).toBe(message.subject);
    expect(parsed.headers.get('message-id')).toBe('<eml_1@acme.example>');
    expect(parsed.headers.get('list-unsubscribe')).toBe('<http://hub.test/u/abc.def>');
    expect(parsed.headers.get('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(message.text);
    expect(parsed.html).toBe(message.html);
    // The settings' `to` receives scheduled files, never someone else's invite.
    expect(received!.rcptTo).not.toContain('ops@acme.example');
  });

  it('refuses header and recipient smuggling before connecting', async () => {
    const { mailer, runtime } = mailerOf();
    const attempts: OutboundMessage[] = [
      { ...message, subject: 'Hi\r\nBcc: everyone@evil.example' },
      { ...message, to: 'cy@friends.example, everyone@evil.example' },
      { ...message, to: 'not an email' },
      { ...message, fromName: 'Acme\r\nBcc: x@evil.example' },
      { ...message, headers: { Bcc: 'everyone@evil.example' } },
      { ...message, headers: { 'X-Note': 'a\r\nBcc: everyone@evil.example' } },
      { ...message, headers: { 'Bad Name': 'x' } },
      { ...message, messageId: 'no-brackets' },
    ];
    for (const attempt of attempts) {
      const error = await connectorFailure(mailer.send(attempt));
      expect(error.kind, JSON.stringify(attempt)).toBe('invalid');
    }
    expect(runtime.checkedTargets).toEqual([]);
    expect(server.messages).toHaveLength(0);
  });

  it('classifies failures like the file delivery: 4xx transient, 5xx and a refused recipient permanent, 535 auth', async () => {
    server.failNext(451, 'Greylisted, try again later');
    const busy = await connectorFailure(mailerOf().mailer.send(message));
    expect(busy.kind).toBe('transient');
    expect(busy.status).toBe(451);
    expect(busy.retryable).toBe(true);

    server.failNext(554, 'Message refused by policy');
    const refused = await connectorFailure(mailerOf().mailer.send(message));
    expect(refused.kind).toBe('permanent');
    expect(refused.status).toBe(554);

    const gone = await connectorFailure(mailerOf().mailer.send({ ...message, to: 'gone@friends.example' }));
    expect(gone.kind).toBe('permanent');
    expect(gone.retryable).toBe(false);

    const login = await connectorFailure(mailerOf({}, { username: USER, password: 'wrong-password' }).mailer.send(message));
    expect(login.kind).toBe('auth');
    expect(login.message).not.toContain('wrong-password');
    expect(server.messages).toHaveLength(0);
  });

  it('goes through the SSRF guard: a refused target sends nothing', async () => {
    const { mailer } = mailerOf({ host: '10.1.2.3' });
    const error = await connectorFailure(mailer.send(message));
    expect(error.kind).toBe('invalid');
    expect(server.messages).toHaveLength(0);
  });

  it('keeps requireTls: no plaintext send to a server without STARTTLS', async () => {
    const plain = await startSmtpTestServer({ starttls: false });
    try {
      const error = await connectorFailure(mailerOf({ port: plain.port, caCertificate: undefined }, {}).mailer.send(message));
      expect(error.kind).toBe('permanent');
      expect(plain.messages).toHaveLength(0);
    } finally {
      await plain.close();
    }
  });
});
