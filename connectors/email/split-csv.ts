import { ConnectorError } from '../connector.js';

const QUOTE = 0x22;
const LF = 0x0a;

/**
 * Byte ranges of CSV records. A record ends at a line feed outside quotes, so a quoted field
 * holding a line break stays whole. Scanning bytes is safe for UTF-8: no multi-byte sequence
 * contains 0x22 or 0x0a.
 */
function records(content: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < content.length; i++) {
    const byte = content[i];
    if (byte === QUOTE) quoted = !quoted;
    else if (byte === LF && !quoted) {
      out.push(content.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < content.length) out.push(content.subarray(start));
  return out;
}

/**
 * Splits CSV bytes into parts of at most `maxBytes` each, cutting only between records and
 * starting every part with the header record, so each part is a complete CSV on its own.
 */
export function splitCsv(content: Buffer, maxBytes: number): Buffer[] {
  const [header, ...rows] = records(content);
  if (!header || rows.length === 0) {
    throw new ConnectorError('permanent', `the CSV has no data rows to split into parts of ${maxBytes} bytes`);
  }
  const parts: Buffer[] = [];
  let current: Buffer[] = [header];
  let size = header.length;
  for (const row of rows) {
    if (size + row.length > maxBytes && current.length > 1) {
      parts.push(Buffer.concat(current));
      current = [header];
      size = header.length;
    }
    if (size + row.length > maxBytes) {
      throw new ConnectorError(
        'permanent',
        `a CSV row of ${row.length} bytes plus the ${header.length}-byte header does not fit in maxAttachmentBytes (${maxBytes})`,
      );
    }
    current.push(row);
    size += row.length;
  }
  parts.push(Buffer.concat(current));
  return parts;
}
