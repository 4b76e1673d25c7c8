import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { connectorFailure } from '../../test/support/connector-failure.js';
import { loopbackRuntime } from '../../test/support/loopback-runtime.js';
import { parseMimeMessage } from '../../test/support/mime-message.js';
import { startSmtpTestServer, type SmtpTestServer } from '../../test/support/smtp-test-server.js';
import { generateTestCertificate } from '../../test/support/test-certificate.js';
import type { OutboundFile } from '../connector.js';
import { emailConnector } from './email-connector.js';

const USER = 'hub@acme.example';
const PASSWORD = 'smtp-secret-17';
const TO = ['ops@partner.example', 'finance@partner.example'];

let server: SmtpTestServer;
let otherCaPem: string;

beforeAll(async () => {
  server = await startSmtpTestServer({ username: USER, password: PASSWORD });
  otherCaPem = (await generateTestCertificate()).cert;
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  server.messages.length = 0;
});

function connector(settings: Record<string, unknown> = {}, secrets: Record<string, unknown> = { username: USER, password: PASSWORD }) {
  const runtime = loopbackRuntime();
  const instance = emailConnector.create(
    {
      settings: emailConnector.settingsSchema.parse({
        host: '127.0.0.1',
        port: server.port,
        secure: false,
        from: 'exports@acme.example',
        to: TO,
        subject: 'Referral export {fileName}',
        caCertificate: server.caPem,
        ...settings,
      }),
      secrets: emailConnector.secretsSchema.parse(secrets),
    },
    runtime,
  );
  return { instance, runtime, deliver: (file: OutboundFile) => instance.fileDestination!.deliver(file) };
}

/** A CSV of `rows` data rows, each a little over 30 bytes. */
function csvFile(name: string, rows: number): OutboundFile {
  const lines = ['email,name,amount'];
  for (let i = 1; i <= rows; i++) lines.push(`friend${i}@example.com,Friend ${i},${i * 5}`);
  return { name, content: Buffer.from(lines.join('\r\n') + '\r\n'), contentType: 'text/csv' };
}

describe('email connector', () => {
  it('sends the file as an attachment with the exact bytes, over STARTTLS, to every recipient', async () => {
    const { deliver, instance, runtime } = connector();
    const file = csvFile('referrals-2024-05-01.csv', 3);
    // Bytes quoted-printable or a charset conversion would alter.
    file.content = Buffer.concat([file.content, Buffer.from('zoë@example.com,Zoë,1\n'), Buffer.from([0xff])]);

    await instance.check();
    const result = await deliver(file);

    expect(result.location).toBe(`mailto:${TO.join(',')}`);
    expect(runtime.checkedTargets).toEqual([`smtp://127.0.0.1:${server.port}`, `smtp://127.0.0.1:${server.port}`]);
    expect(server.messages).toHaveLength(1);
    const [message] = server.messages;
    expect(message!.secure).toBe(true);
    expect(message!.mailFrom).toBe('exports@acme.example');
    expect([...message!.rcptTo].sort()).toEqual([...TO].sort());
    const parsed = parseMimeMessage(message!.raw);
    expect(parsed.headers.get('subject')).toBe('Referral export referrals-2024-05-01.csv');
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]).toMatchObject({ filename: 'referrals-2024-05-01.csv', contentType: 'text/csv' });
    expect(parsed.attachments[0]!.content).toEqual(file.content);
  });

  it('re-sending the same file reuses the Message-ID so it is recognisable as a re-send', async () => {
    const { deliver } = connector();
    await deliver(csvFile('run-9.csv', 2));
    await deliver(csvFile('run-9.csv', 2));
    await deliver(csvFile('run-10.csv', 2));

    const ids = server.messages.map((m) => parseMimeMessage(m.raw).headers.get('message-id'));
    expect(ids[0]).toMatch(/^<[0-9a-f]{32}\.1of1@acme\.example>$/);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('splits a CSV over maxAttachmentBytes into numbered parts, each with the header row', async () => {
    const { deliver } = connector({ maxAttachmentBytes: 1024 });
    const file = csvFile('big.csv', 80);
    expect(file.content.length).toBeGreaterThan(2 * 1024);

    await deliver(file);

    const parsed = server.messages.map((m) => parseMimeMessage(m.raw));
    const total = parsed.length;
    expect(total).toBeGreaterThanOrEqual(3);
    const header = 'email,name,amount\r\n';
    const rows: string[] = [];
    parsed.forEach((p, i) => {
      expect(p.headers.get('subject')).toBe(`Referral export big.csv (part ${i + 1} of ${total})`);
      expect(p.headers.get('message-id')).toContain(`.${i + 1}of${total}@`);
      expect(p.attachments).toHaveLength(1);
      const attachment = p.attachments[0]!;
      expect(attachment.filename).toBe(`big.part${i + 1}of${total}.csv`);
      expect(attachment.content.length).toBeLessThanOrEqual(1024);
      const text = attachment.content.toString('utf8');
      expect(text.startsWith(header)).toBe(true);
      rows.push(text.slice(header.length));
    });
    // Together the parts hold every row exactly once, in order.
    expect(header + rows.join('')).toBe(file.content.toString('utf8'));
  });

  it('refuses to send a non-CSV file over the limit', async () => {
    const { deliver } = connector({ maxAttachmentBytes: 1024 });
    const error = await connectorFailure(deliver({ name: 'report.pdf', content: Buffer.alloc(4096, 1), contentType: 'application/pdf' }));
    expect(error.kind).toBe('permanent');
    expect(server.messages).toHaveLength(0);
  });

  it('a 4xx reply is transient', async () => {
    server.failNext(451, 'Local error, try again later');
    const error = await connectorFailure(connector().deliver(csvFile('busy.csv', 1)));
    expect(error.kind).toBe('transient');
    expect(error.status).toBe(451);
    expect(error.retryable).toBe(true);
  });

  it('a 5xx reply is permanent', async () => {
    server.failNext(554, 'Message refused by policy');
    const error = await connectorFailure(connector().deliver(csvFile('refused.csv', 1)));
    expect(error.kind).toBe('permanent');
    expect(error.status).toBe(554);
  });

  it('a partly refused recipient list fails without a retry that would re-send to the others', async () => {
    const picky = await startSmtpTestServer({ username: USER, password: PASSWORD, rejectRecipients: [TO[1]!] });
    try {
      const error = await connectorFailure(connector({ port: picky.port, caCertificate: picky.caPem }).deliver(csvFile('p.csv', 1)));
      expect(error.kind).toBe('permanent');
      expect(error.message).toContain(TO[1]);
      expect(picky.messages.map((m) => m.rcptTo)).toEqual([[TO[0]]]);
    } finally {
      await picky.close();
    }
  });

  it('a wrong password (535) is an auth failure', async () => {
    const { instance, deliver } = connector({}, { username: USER, password: 'not-the-password' });
    const checkError = await connectorFailure(instance.check());
    expect(checkError.kind).toBe('auth');
    expect(checkError.status).toBe(535);
    expect(checkError.message).not.toContain('not-the-password');
    expect((await connectorFailure(deliver(csvFile('x.csv', 1)))).kind).toBe('auth');
    expect(server.messages).toHaveLength(0);
  });

  it('checks the server certificate by default: another CA is refused', async () => {
    const error = await connectorFailure(connector({ caCertificate: otherCaPem }).instance.check());
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('certificate');
    await connector({ caCertificate: undefined, rejectUnauthorized: false }).instance.check();
  });

  it('will not send over plaintext to a server without STARTTLS unless requireTls is off', async () => {
    const plain = await startSmtpTestServer({ starttls: false });
    try {
      const settings = { port: plain.port, caCertificate: undefined };
      const error = await connectorFailure(connector(settings, {}).deliver(csvFile('plain.csv', 1)));
      expect(error.kind).toBe('permanent');
      expect(plain.messages).toHaveLength(0);

      await connector({ ...settings, requireTls: false }, {}).deliver(csvFile('plain.csv', 1));
      expect(plain.messages).toHaveLength(1);
      expect(plain.messages[0]!.secure).toBe(false);
    } finally {
      await plain.close();
    }
  });

  it('a refused connection is transient', async () => {
    const closed = await startSmtpTestServer();
    const port = closed.port;
    await closed.close();
    const error = await connectorFailure(connector({ port }).instance.check());
    expect(error.kind).toBe('transient');
  });

  it('validates settings and secrets', () => {
    const base = { host: 'smtp.example.com', from: 'a@example.com', to: ['b@example.com'] };
    expect(emailConnector.settingsSchema.parse(base)).toMatchObject({
      port: 587,
      secure: false,
      maxAttachmentBytes: 10 * 1024 * 1024,
      requireTls: true,
      rejectUnauthorized: true,
    });
    expect(emailConnector.settingsSchema.safeParse({ ...base, to: [] }).success).toBe(false);
    expect(emailConnector.settingsSchema.safeParse({ ...base, to: ['not-an-email'] }).success).toBe(false);
    expect(emailConnector.settingsSchema.safeParse({ ...base, subject: 'a\r\nBcc: x@evil.example' }).success).toBe(false);
    expect(emailConnector.secretsSchema.safeParse({}).success).toBe(true);
    expect(emailConnector.secretsSchema.safeParse({ username: 'u' }).success).toBe(false);
  });
});
