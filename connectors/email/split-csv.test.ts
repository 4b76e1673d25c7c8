import { describe, expect, it } from 'vitest';
import { splitCsv } from './split-csv.js';

const text = (parts: Buffer[]) => parts.map((p) => p.toString('utf8'));

describe('splitCsv', () => {
  it('packs rows greedily and repeats the header in every part', () => {
    const csv = Buffer.from('h1,h2\n' + 'a,1\n' + 'b,2\n' + 'c,3\n' + 'd,4\n');
    // Header (6 bytes) + two 4-byte rows = 14 bytes per part.
    expect(text(splitCsv(csv, 14))).toEqual(['h1,h2\na,1\nb,2\n', 'h1,h2\nc,3\nd,4\n']);
    expect(text(splitCsv(csv, 13))).toEqual(['h1,h2\na,1\n', 'h1,h2\nb,2\n', 'h1,h2\nc,3\n', 'h1,h2\nd,4\n']);
  });

  it('keeps CRLF endings, a last row without a newline, and quoted line breaks inside one record', () => {
    const csv = Buffer.from('id,note\r\n1,"two\r\nlines"\r\n2,"say ""hi""\nthere"\r\n3,end');
    const parts = text(splitCsv(csv, 31));
    expect(parts).toEqual(['id,note\r\n1,"two\r\nlines"\r\n', 'id,note\r\n2,"say ""hi""\nthere"\r\n', 'id,note\r\n3,end']);
  });

  it('never cuts inside a multi-byte UTF-8 character', () => {
    const csv = Buffer.from('name\nZoë\nÅsa\nJosé\n');
    const parts = splitCsv(csv, 12);
    expect(parts.every((p) => p.length <= 12)).toBe(true);
    expect(text(parts)).toEqual(['name\nZoë\n', 'name\nÅsa\n', 'name\nJosé\n']);
  });

  it('refuses when a single row cannot fit next to the header', () => {
    const csv = Buffer.from('h\nshort\nthis row is far too long\n');
    expect(() => splitCsv(csv, 10)).toThrow(/does not fit in maxAttachmentBytes/);
  });
});
