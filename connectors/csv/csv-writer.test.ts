import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createCsvStream, csvHeader, csvRow, type CsvDelimiter, type CsvOptions } from './csv-writer.js';

/**
 * A strict RFC 4180 reader: records end in CRLF, quoted fields may hold anything with `""` for
 * a quote, and a bare CR, LF or quote outside quotes is an error. Strictness here is what makes
 * the round trips below prove the writer's output is well-formed.
 */
function parseCsv(text: string, delimiter: string = ','): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at offset ${i} in ${JSON.stringify(text)}`);
  };
  if (text === '') return records;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        field += text[i];
        i += 1;
      }
    } else {
      while (i < text.length && text[i] !== delimiter && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') fail('quote inside an unquoted field');
        field += text[i];
        i += 1;
      }
    }
    record.push(field);
    if (text[i] === delimiter) {
      i += 1;
      continue;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') {
      i += 2;
      records.push(record);
      record = [];
      if (i === text.length) return records;
      continue;
    }
    return fail(i >= text.length ? 'missing CRLF after the last record' : 'bare CR, LF or text after a closing quote');
  }
}

async function collect(columns: readonly string[], rows: unknown[], opts?: CsvOptions): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    Readable.from(rows, { objectMode: true }),
    createCsvStream(columns, opts),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
      },
    }),
  );
  return Buffer.concat(chunks);
}

describe('csvHeader and csvRow', () => {
  it('write CRLF-terminated records', () => {
    expect(csvHeader(['email', 'name'])).toBe('email,name\r\n');
    expect(csvRow(['a@x.io', 'Ann'])).toBe('a@x.io,Ann\r\n');
  });

  it('quote only fields holding the delimiter, a quote, CR or LF', () => {
    expect(csvRow(['plain', 'a,b', 'say "hi"', 'two\nlines', 'cr\rhere', 'crlf\r\nhere', ' spaced ', "it's"])).toBe(
      'plain,"a,b","say ""hi""","two\nlines","cr\rhere","crlf\r\nhere", spaced ,it\'s\r\n',
    );
    expect(csvRow(['"', '""', '"start', 'end"'])).toBe('"""","""""","""start","end"""\r\n');
  });

  it('use any supported delimiter and quote for that one only', () => {
    const cases: [CsvDelimiter, string][] = [
      [',', '"a,b",a;b,a\tb,a|b\r\n'],
      [';', 'a,b;"a;b";a\tb;a|b\r\n'],
      ['\t', 'a,b\ta;b\t"a\tb"\ta|b\r\n'],
      ['|', 'a,b|a;b|a\tb|"a|b"\r\n'],
    ];
    for (const [delimiter, expected] of cases) {
      expect(csvRow(['a,b', 'a;b', 'a\tb', 'a|b'], { delimiter }), JSON.stringify(delimiter)).toBe(expected);
    }
  });

  it('refuses other delimiters', () => {
    expect(() => csvRow(['a'], { delimiter: ':' as CsvDelimiter })).toThrow('CSV delimiter must be one of , ; | or tab; got ":"');
    expect(() => createCsvStream(['a'], { delimiter: '"' as CsvDelimiter })).toThrow('CSV delimiter must be one of');
  });

  it('render each value type', () => {
    const when = new Date(Date.UTC(2024, 2, 5, 6, 7, 8, 9));
    expect(csvRow([null, undefined, 0, -1.5, 1e21, 12345678901234567890n, true, false, when, new Date('bad')])).toBe(
      ',,0,-1.5,1e+21,12345678901234567890,true,false,2024-03-05T06:07:08.009Z,\r\n',
    );
    expect(csvRow([{ a: 1, b: 'x' }, [1, 'two'], []])).toBe('"{""a"":1,""b"":""x""}","[1,""two""]",[]\r\n');
  });

  it('keep unicode as is', () => {
    const values = ['Zoë', 'Ærøskøbing', '北京', '🎉 party', 'e\u0301', 'ğüşıöç'];
    const line = csvRow(values);
    expect(line).toBe(`${values.join(',')}\r\n`);
    expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
  });

  it('write rows of empty fields, keeping a lone empty field a record', () => {
    expect(csvRow([null, undefined, ''])).toBe(',,\r\n');
    expect(csvRow([''])).toBe('""\r\n');
    expect(csvRow([null])).toBe('""\r\n');
    expect(parseCsv(csvHeader(['only']) + csvRow([null]))).toEqual([['only'], ['']]);
    expect(() => csvRow([])).toThrow('a CSV record needs at least one field');
    expect(() => csvHeader([])).toThrow('a CSV record needs at least one field');
  });

  it('start the header with a BOM only when asked', () => {
    expect(csvHeader(['a', 'b'], { bom: true })).toBe('\uFEFFa,b\r\n');
    expect(csvRow(['a'], { bom: true })).toBe('a\r\n');
  });
});

describe('formula escaping', () => {
  it('prefixes text a spreadsheet would evaluate', () => {
    expect(csvRow(['=SUM(A1:A2)', '+1+cmd', '-2+3', '@SUM(1)', '\tTAB', '\rCR'])).toBe(
      `'=SUM(A1:A2),'+1+cmd,'-2+3,'@SUM(1),'\tTAB,"'\rCR"\r\n`,
    );
    expect(csvRow(['=HYPERLINK("http://evil","x")'])).toBe(`"'=HYPERLINK(""http://evil"",""x"")"\r\n`);
    expect(csvRow(['-'])).toBe("'-\r\n");
    expect(csvRow(['+33 6 12 34 56 78'])).toBe("'+33 6 12 34 56 78\r\n");
  });

  it('escapes headers too', () => {
    expect(csvHeader(['=cmd', 'ok'])).toBe("'=cmd,ok\r\n");
  });

  it('leaves numbers and plain numeric text alone', () => {
    expect(csvRow([-5, -0.25, -12345678901234567890n, '-12.50', '+3', '-1e5', '-.5'])).toBe(
      '-5,-0.25,-12345678901234567890,-12.50,+3,-1e5,-.5\r\n',
    );
  });

  it('leaves text that only contains formula characters later alone', () => {
    expect(csvRow(['a=b', 'x-y', 'mail@example.com', ' =1'])).toBe('a=b,x-y,mail@example.com, =1\r\n');
  });

  it('can be turned off', () => {
    expect(csvRow(['=1+1', '-x', '@a', '\tb'], { escapeFormulas: false })).toBe('=1+1,-x,@a,\tb\r\n');
    expect(csvRow(['=1+1', '-x', '@a', '\tb'], { escapeFormulas: false, delimiter: '\t' })).toBe('=1+1\t-x\t@a\t"\tb"\r\n');
  });
});

describe('createCsvStream', () => {
  it('emits the header even when no rows arrive', async () => {
    expect((await collect(['email', 'name'], [])).toString('utf8')).toBe('email,name\r\n');
    expect((await collect(['email'], [], { bom: true })).toString('utf8')).toBe('\uFEFFemail\r\n');
  });

  it('takes objects keyed by column and arrays in column order', async () => {
    const out = await collect(
      ['email', 'amount', 'note'],
      [{ email: 'a@x.io', amount: 20, note: 'hi, there', ignored: 'x' }, { amount: -3 }, ['b@x.io', 1.5], ['c@x.io', null, 'three']],
      { delimiter: ';' },
    );
    expect(out.toString('utf8')).toBe('email;amount;note\r\na@x.io;20;hi, there\r\n;-3;\r\nb@x.io;1.5;\r\nc@x.io;;three\r\n');
  });

  it('reads own keys only, so column names like constructor are plain columns', async () => {
    const out = await collect(['constructor', 'toString', '__proto__'], [{}, JSON.parse('{"__proto__":"own","constructor":"c"}')]);
    expect(out.toString('utf8')).toBe('constructor,toString,__proto__\r\n,,\r\nc,,own\r\n');
  });

  it('fails on rows it cannot place', async () => {
    await expect(collect(['a', 'b'], [['1', '2', '3']])).rejects.toThrow('CSV row has 3 values but there are 2 columns');
    await expect(collect(['a'], ['just text'])).rejects.toThrow(
      'CSV rows must be objects keyed by column or arrays in column order; got string',
    );
    expect(() => createCsvStream([])).toThrow('a CSV record needs at least one field');
  });

  it('writes UTF-8 bytes', async () => {
    const out = await collect(['name'], [{ name: 'Zoë 🎉' }]);
    expect([...out.subarray(6)]).toEqual([...Buffer.from('Zoë 🎉\r\n', 'utf8')]);
  });

  it('pipes into gzip', async () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ id: i, email: `u${i}@x.io` }));
    const chunks: Buffer[] = [];
    await pipeline(
      Readable.from(rows),
      createCsvStream(['id', 'email']),
      createGzip(),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          chunks.push(chunk);
          callback();
        },
      }),
    );
    const text = gunzipSync(Buffer.concat(chunks)).toString('utf8');
    expect(parseCsv(text)).toEqual([['id', 'email'], ...rows.map((r) => [String(r.id), r.email])]);
  });

  it('applies backpressure, so a slow consumer keeps the source from running ahead', async () => {
    const total = 20_000;
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    function* source(): Generator<{ n: number; pad: string }> {
      for (let n = 0; n < total; n += 1) {
        produced += 1;
        maxAhead = Math.max(maxAhead, produced - consumed);
        yield { n, pad: 'x'.repeat(100) };
      }
    }
    await pipeline(
      Readable.from(source()),
      createCsvStream(['n', 'pad']),
      new Writable({
        highWaterMark: 1024,
        write(chunk: Buffer, _encoding, callback) {
          consumed += chunk.toString('utf8').split('\r\n').length - 1;
          setImmediate(callback);
        },
      }),
    );
    expect(consumed).toBe(total + 1);
    // Only the streams' small buffers may sit between source and sink, never the whole export.
    expect(maxAhead).toBeLessThan(1000);
  });
});

describe('round trip through an RFC 4180 parser', () => {
  const tricky = [
    '',
    ' ',
    'plain',
    'a,b',
    'a;b',
    'a\tb',
    'a|b',
    '"',
    'say "hi"',
    'line1\nline2',
    'line1\r\nline2',
    '\r',
    '\n',
    'Zoë 北京 🎉',
    "it's",
    '""',
    ',',
    'trailing,',
    ',leading',
  ];

  // A small deterministic generator, so a failure always reproduces.
  function* rowsOf(count: number, width: number): Generator<string[]> {
    let seed = 42;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let r = 0; r < count; r += 1) {
      yield Array.from({ length: width }, () => {
        const a = tricky[next() % tricky.length] as string;
        const b = tricky[next() % tricky.length] as string;
        return a + b;
      });
    }
  }

  for (const delimiter of [',', ';', '\t', '|'] as const) {
    it(`returns the exact strings with ${JSON.stringify(delimiter)}`, async () => {
      const columns = ['id', 'first, name', 'note "q"', 'multi\nline'];
      const rows = [...rowsOf(300, columns.length)];
      const opts = { delimiter, escapeFormulas: false };
      const joined = csvHeader(columns, opts) + rows.map((row) => csvRow(row, opts)).join('');
      const expected = [columns, ...rows];
      expect(parseCsv(joined, delimiter)).toEqual(expected);
      const streamed = (await collect(columns, rows, opts)).toString('utf8');
      expect(streamed).toBe(joined);
    });
  }

  it('returns escaped formulas with only the leading quote added', () => {
    const values = ['=1+1', '@x', '-y', '+z', '\tq', '\rr', '-5', 'ok'];
    expect(parseCsv(csvRow(values))).toEqual([["'=1+1", "'@x", "'-y", "'+z", "'\tq", "'\rr", '-5', 'ok']]);
  });

  it('returns typed values as their text forms', () => {
    const row = [null, 7, -2.5, true, new Date(Date.UTC(2024, 0, 1)), { a: 'b,"c"' }, ['x', 1]];
    expect(parseCsv(csvRow(row))).toEqual([['', '7', '-2.5', 'true', '2024-01-01T00:00:00.000Z', '{"a":"b,\\"c\\""}', '["x",1]']]);
  });

  it('the parser itself rejects malformed CSV', () => {
    expect(() => parseCsv('a,b\n')).toThrow('bare CR, LF');
    expect(() => parseCsv('a,"b\r\n')).toThrow('unterminated quoted field');
    expect(() => parseCsv('a,b"c\r\n')).toThrow('quote inside an unquoted field');
    expect(() => parseCsv('a,b')).toThrow('missing CRLF');
  });
});
