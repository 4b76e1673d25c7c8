// Mailbox providers shared by unrelated people: a shared domain there says nothing.
const PUBLIC_EMAIL_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'yahoo.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.de',
  'mail.com',
  'yandex.com',
  'zoho.com',
  'fastmail.com',
]);

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** Flags for a human to review; they never block a conversion by themselves. */
export function fraudFlagsFor(input: { email: string; memberEmail: string }): string[] {
  const flags: string[] = [];
  const domain = domainOf(input.email);
  if (domain === domainOf(input.memberEmail) && !PUBLIC_EMAIL_DOMAINS.has(domain)) flags.push('same_email_domain');
  // Plus-addressing of the member's own mailbox (ann+1@x.com referring ann@x.com).
  const local = (e: string) => e.slice(0, e.lastIndexOf('@')).toLowerCase().replace(/\+.*$/, '').replace(/\./g, '');
  if (local(input.email) === local(input.memberEmail) && domain === domainOf(input.memberEmail)) flags.push('email_alias_of_member');
  return flags;
}
