import { Transform } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const CRLF = Buffer.from('\r\n');
// PostgreSQL sends one message per row; passing a million tiny chunks through the HTTP stack
// costs more than the rows themselves, so output goes out in ~256 KB pieces.
const BLOCK = 262_144;

/**
 * PostgreSQL's CSV ends records with LF; RFC 4180 wants CRLF. Only record ends change: a line
 * break inside a quoted field is data and stays as it is (quotes are tracked across chunks;
 * a doubled quote toggles twice, so the state stays right). `onRecords` hears how many record
 * ends each chunk held, for callers that count the rows of a COPY.
 */
export function lfToCrlf(onRecords?: (count: number) => void): Transform {
  let quoted = false;
  let previous = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const emit = (self: Transform, force: boolean) => {
    if (pendingBytes === 0 || (!force && pendingBytes < BLOCK)) return;
    self.push(pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes));
    pending = [];
    pendingBytes = 0;
  };
  const keep = (part: Buffer) => {
    if (part.length === 0) return;
    pending.push(part);
    pendingBytes += part.length;
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let start = 0;
      let i = 0;
      let records = 0;
      // Jump between quotes and line feeds with native searches.
      while (i < chunk.length) {
        if (quoted) {
          const close = chunk.indexOf(QUOTE, i);
          if (close < 0) break;
          quoted = false;
          i = close + 1;
          continue;
        }
        const nextQuote = chunk.indexOf(QUOTE, i);
        const nextLf = chunk.indexOf(LF, i);
        if (nextLf >= 0 && (nextQuote < 0 || nextLf < nextQuote)) {
          records += 1;
          if ((nextLf > 0 ? chunk[nextLf - 1] : previous) !== CR) {
            keep(chunk.subarray(start, nextLf));
            keep(CRLF);
            start = nextLf + 1;
          }
          i = nextLf + 1;
        } else if (nextQuote >= 0) {
          quoted = true;
          i = nextQuote + 1;
        } else break;
      }
      keep(chunk.subarray(start));
      if (records > 0) onRecords?.(records);
      if (chunk.length > 0) previous = chunk[chunk.length - 1]!;
      emit(this, false);
      done();
    },
    flush(done) {
      emit(this, true);
      done();
    },
  });
}
