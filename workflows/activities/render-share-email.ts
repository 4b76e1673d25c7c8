import { escapeHtml } from '../../lib/escape-html.js';

export type ShareEmailKind = 'invite' | 'welcome' | 'reminder';

export interface ShareEmailContentInput {
  kind: ShareEmailKind;
  programName: string;
  offer: { headline?: string; friendOffer?: string };
  /** The inviter's first name (invites) or the member's own (welcome, reminder). */
  firstName: string | null;
  /** The inviter's link (invites) or the member's own. */
  referralUrl: string;
  unsubscribeUrl: string;
  /** The inviter's note, as they typed it (invites only). */
  message?: string;
}

export interface ShareEmailContent {
  subject: string;
  text: string;
  html: string;
}

/** Names and offers end up in a header: one line, no control characters, a sane length. */
function oneLine(text: string, max = 200): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, max)
  );
}

interface Parts {
  subject: string;
  greeting: string;
  /** Paragraphs of plain text; the link and the quoted note are placed by the layout. */
  lead: string[];
  linkLabel: string;
  quote?: { by: string; text: string };
  footer: string;
}

function partsOf(input: ShareEmailContentInput): Parts {
  const program = oneLine(input.programName);
  const first = input.firstName ? oneLine(input.firstName, 100) : '';
  const headline = input.offer.headline ? oneLine(input.offer.headline) : '';
  const friendOffer = input.offer.friendOffer ? oneLine(input.offer.friendOffer) : '';
  if (input.kind === 'invite') {
    const who = first || 'A friend';
    const message = input.message?.trim();
    return {
      subject: `${who} invited you to ${program}${headline ? `: ${headline}` : ''}`,
      greeting: 'Hi,',
      lead: [`${who} thinks you would like ${program}.`, ...(friendOffer ? [`With their link you get ${friendOffer}.`] : [])],
      quote: message ? { by: `${who} wrote:`, text: message } : undefined,
      linkLabel: first ? `${first}'s link` : 'Your friend’s link',
      footer: `${who} asked ${program} to send you this invitation. Unsubscribe to get no more emails from ${program}:`,
    };
  }
  const greeting = `Hi ${first || 'there'},`;
  if (input.kind === 'welcome') {
    return {
      subject: `Welcome to ${program}: your referral link`,
      greeting,
      lead: [`You are now a member of ${program}.${headline ? ` ${headline}.` : ''}`, 'Share your personal link with friends:'],
      linkLabel: 'Your link',
      footer: `You get this email because you are a member of ${program}. Unsubscribe:`,
    };
  }
  return {
    subject: `Your ${program} referral link is waiting`,
    greeting,
    lead: [`Nobody has opened your ${program} link yet.${headline ? ` ${headline}.` : ''}`, 'Share it with a friend:'],
    linkLabel: 'Your link',
    footer: `You get this email because you are a member of ${program}. Unsubscribe:`,
  };
}

/**
 * The text and HTML of an invite, welcome or reminder email. Everything that comes from people
 * (names, the program's offer, the inviter's note) is escaped in the HTML; the note is quoted
 * as text and never becomes markup or a link of ours.
 */
export function renderShareEmail(input: ShareEmailContentInput): ShareEmailContent {
  const p = partsOf(input);
  const quoteText = p.quote ? [p.quote.by, ...p.quote.text.split(/\r?\n/).map((line) => `> ${line}`)].join('\n') : undefined;
  const text = [
    p.greeting,
    ...p.lead,
    ...(quoteText ? [quoteText] : []),
    `${p.linkLabel}: ${input.referralUrl}`,
    `-- \n${p.footer} ${input.unsubscribeUrl}`,
  ].join('\n\n');

  const e = escapeHtml;
  const quoteHtml = p.quote
    ? `<p>${e(p.quote.by)}</p><blockquote style="margin:0 0 1em;padding-left:1em;border-left:3px solid #ccc">${e(p.quote.text).replace(/\r?\n/g, '<br>')}</blockquote>`
    : '';
  const html =
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">' +
    `<p>${e(p.greeting)}</p>` +
    p.lead.map((line) => `<p>${e(line)}</p>`).join('') +
    quoteHtml +
    `<p><a href="${e(input.referralUrl)}">${e(p.linkLabel)}</a>: ${e(input.referralUrl)}</p>` +
    `<p style="color:#666;font-size:smaller">${e(p.footer)} <a href="${e(input.unsubscribeUrl)}">Unsubscribe</a></p>` +
    '</body></html>';
  return { subject: p.subject, text: `${text}\n`, html };
}
