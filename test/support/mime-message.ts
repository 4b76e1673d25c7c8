export interface MimeAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MimeMessage {
  /** Top-level headers, lower-cased names, folded lines joined. */
  headers: Map<string, string>;
  attachments: MimeAttachment[];
  /** The decoded text/plain part, if any. */
  text?: string;
  /** The decoded text/html part, if any. */
  html?: string;
}

interface Entity {
  headers: Map<string, string>;
  body: string;
}

function splitEntity(text: string): Entity {
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 4);
  const headers = new Map<string, string>();
  // Continuation lines start with whitespace and belong to the previous header (RFC 5322 §2.2.3).
  for (const line of head.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function param(header: string | undefined, name: string): string | undefined {
  const match = header?.match(new RegExp(`(?:^|;)\\s*${name}="?([^";]+)"?`, 'i'));
  return match?.[1];
}

/** Quoted-printable (RFC 2045 §6.7): soft line breaks removed, =XX turned back into bytes. */
function decodeQuotedPrintable(body: string): Buffer {
  const joined = body.replace(/=\r\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(joined.charCodeAt(i) & 0xff);
  }
  return Buffer.from(bytes);
}

function decode(entity: Entity): Buffer {
  const encoding = entity.headers.get('content-transfer-encoding')?.toLowerCase();
  if (encoding === 'base64') return Buffer.from(entity.body.replace(/\s+/g, ''), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(entity.body);
  return Buffer.from(entity.body, 'latin1');
}

interface Collected {
  attachments: MimeAttachment[];
  text?: string;
  html?: string;
}

function collect(entity: Entity, out: Collected): void {
  const contentType = entity.headers.get('content-type') ?? 'text/plain';
  const boundary = param(contentType, 'boundary');
  if (/^multipart\//i.test(contentType) && boundary) {
    const sections = entity.body.split(`--${boundary}`);
    // Drop the preamble before the first delimiter and the epilogue after the closing "--".
    for (const section of sections.slice(1)) {
      if (section.startsWith('--')) break;
      collect(splitEntity(section.replace(/^\r\n/, '').replace(/\r\n$/, '')), out);
    }
    return;
  }
  const disposition = entity.headers.get('content-disposition');
  if (disposition && /^attachment/i.test(disposition)) {
    out.attachments.push({
      filename: param(disposition, 'filename') ?? param(contentType, 'name') ?? '',
      contentType: contentType.split(';')[0]!.trim(),
      content: decode(entity),
    });
    return;
  }
  // nodemailer writes text parts in UTF-8.
  if (/^text\/plain/i.test(contentType)) out.text ??= decode(entity).toString('utf8');
  if (/^text\/html/i.test(contentType)) out.html ??= decode(entity).toString('utf8');
}

/**
 * Just enough MIME (RFC 2045/2046) to read what nodemailer sends in tests: headers, base64
 * attachments and the text and HTML parts of a multipart message. Not a general-purpose parser.
 */
export function parseMimeMessage(raw: Buffer): MimeMessage {
  // latin1 maps bytes 1:1, so base64 bodies and boundaries survive untouched.
  const root = splitEntity(raw.toString('latin1'));
  const out: Collected = { attachments: [] };
  collect(root, out);
  return { headers: root.headers, ...out };
}
