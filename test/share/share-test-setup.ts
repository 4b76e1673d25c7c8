import { expect } from 'vitest';
import { parseMimeMessage, type MimeMessage } from '../support/mime-message.js';
import type { SmtpTestServer } from '../support/smtp-test-server.js';
import { waitFor, type Harness } from '../support/hub-harness.js';

let counter = 0;
export const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}${(counter++).toString(36)}`;

export interface ReceivedShareEmail extends MimeMessage {
  to: string;
  subject: string;
  /** `/u/<token>` from the List-Unsubscribe header. */
  unsubscribePath: string;
}

/** Every message the SMTP server accepted for `to`, parsed. */
export function mailTo(smtp: SmtpTestServer, to: string): ReceivedShareEmail[] {
  return smtp.messages
    .filter((m) => m.rcptTo.includes(to))
    .map((m) => {
      const parsed = parseMimeMessage(m.raw);
      const header = parsed.headers.get('list-unsubscribe') ?? '';
      return {
        ...parsed,
        text: parsed.text?.replace(/\r\n/g, '\n'),
        to,
        subject: parsed.headers.get('subject') ?? '',
        unsubscribePath: header.replace(/^<https?:\/\/[^/]+/, '').replace(/>$/, ''),
      };
    });
}

/** Waits until `to` has received exactly `n` messages (and returns them). */
export async function waitForMail(smtp: SmtpTestServer, to: string, n: number, timeoutMs = 30_000): Promise<ReceivedShareEmail[]> {
  return waitFor(async () => (mailTo(smtp, to).length >= n ? mailTo(smtp, to) : undefined), timeoutMs, `${n} email(s) to ${to}`).then(
    (found) => {
      expect(found, `emails to ${to}`).toHaveLength(n);
      return found;
    },
  );
}

/** A program whose share emails go through an email connector on the local SMTP server, and its first member. */
export async function shareProgram(
  h: Harness,
  smtp: SmtpTestServer,
  opts: { share?: Record<string, unknown>; enrolment?: Record<string, unknown>; connector?: boolean } = {},
) {
  const slug = unique('share');
  let share: Record<string, unknown> = {
    offer: { headline: 'Give $10, get $20', friendOffer: '$10 off your first order' },
    ...opts.share,
  };
  if (opts.connector !== false) {
    const connector = await h.call('POST', '/api/v1/connectors', {
      kind: 'email',
      name: `Share mail ${slug}`,
      settings: { host: '127.0.0.1', port: smtp.port, from: 'friends@acme.example', to: ['ops@acme.example'], caCertificate: smtp.caPem },
      secrets: {},
    });
    expect(connector.status, JSON.stringify(connector.body)).toBe(201);
    share = { emailConnectorId: connector.body.id, ...share };
  }
  const program = await h.call('POST', '/api/v1/programs', {
    name: `Acme Friends ${slug}`,
    slug,
    landingUrl: 'https://acme.example/welcome',
    currency: 'USD',
    rewardRules: [],
    share,
    ...(opts.enrolment ? { enrolment: opts.enrolment } : {}),
  });
  expect(program.status, JSON.stringify(program.body)).toBe(201);
  return program.body as { id: string; name: string; share: { emailConnectorId: string | null } };
}

export async function addMember(h: Harness, programId: string, firstName = 'Ann') {
  const member = await h.call('POST', '/api/v1/members', {
    programId,
    email: `${unique(firstName.toLowerCase())}@members.test`,
    firstName,
  });
  expect(member.status, JSON.stringify(member.body)).toBe(201);
  return member.body as { id: string; email: string; referralCode: string; referralUrl: string };
}
