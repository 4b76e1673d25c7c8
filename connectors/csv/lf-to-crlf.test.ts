import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { lfToCrlf } from './lf-to-crlf.js';

async function run(chunks: string[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const c of Readable.from(chunks.map((s) => Buffer.from(s))).pipe(lfToCrlf())) out.push(c as Buffer);
  return Buffer.concat(out).toString();
}

it('ends records with CRLF but keeps line breaks inside quoted fields', async () => {
  expect(await run(['a,b\n1,"x\ny"\n2,"say ""hi""\n"\n'])).toBe('a,b\r\n1,"x\ny"\r\n2,"say ""hi""\n"\r\n');
});

it('tracks quotes and CR across chunk boundaries', async () => {
  expect(await run(['a,"x', '\n', 'y"', '\n', 'b\r', '\n'])).toBe('a,"x\ny"\r\nb\r\n');
  const whole = 'h1,h2\n"a\nb",c\n"d""",e\n';
  for (let cut = 1; cut < whole.length; cut++) {
    expect(await run([whole.slice(0, cut), whole.slice(cut)])).toBe('h1,h2\r\n"a\nb",c\r\n"d""",e\r\n');
  }
});

it('matches a byte-by-byte reference over many blocks with quoted line breaks spanning them', async () => {
  // Reference: the obvious character loop.
  const reference = (text: string) => {
    let out = '';
    let quoted = false;
    for (const ch of text) {
      if (ch === '"') quoted = !quoted;
      out += ch === '\n' && !quoted ? '\r\n' : ch;
    }
    return out;
  };
  const rows: string[] = ['id,name,note\n'];
  for (let i = 0; i < 40_000; i++) {
    // Mostly plain rows (the fast path), some with quotes and line breaks inside fields.
    rows.push(i % 97 === 0 ? `${i},"multi\nline ""${i}""","a,b\nc"\n` : `${i},plain name ${i},note ${i}\n`);
  }
  const text = rows.join('');
  expect(text.length).toBeGreaterThan(1_000_000);
  // Odd chunk sizes so block edges fall inside quoted fields.
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += 1777) chunks.push(text.slice(at, at + 1777));
  expect(await run(chunks)).toBe(reference(text));
});
