import type { FieldErrors } from '../components/field.js';
import { formText, type FormValues } from '../read-form.js';

/** One mapping entry as the form shows it: every part as text, blank meaning "not set". */
export interface MappingRow {
  target: string;
  source: string;
  template: string;
  constant: string;
  valueMap: string;
  noMatch: string;
  empty: string;
  format: string;
  case: string;
  whenSource: string;
  whenTest: string;
  whenValue: string;
}

const PARTS = ['target', 'source', 'template', 'constant', 'valueMap', 'noMatch', 'empty', 'format', 'case'] as const;
const BLANK: MappingRow = Object.fromEntries(
  [...PARTS, 'whenSource', 'whenTest', 'whenValue'].map((k) => [k, '']),
) as unknown as MappingRow;
const TYPED = ['target', 'source', 'template', 'constant', 'valueMap', 'noMatch', 'empty', 'format', 'whenSource', 'whenValue'] as const;
// Room for new fields without JavaScript: saving or previewing shows fresh blank rows again.
const SPARE_ROWS = 2;

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** A stored mapping (the API's entries) as form rows. */
export function rowsOf(mapping: unknown): MappingRow[] {
  if (!Array.isArray(mapping)) return [];
  return mapping.map((raw) => {
    const e = raw as Record<string, unknown>;
    const when = (e.when ?? {}) as Record<string, unknown>;
    const test = (['equals', 'contains', 'exists'] as const).find((t) => when[t] !== undefined) ?? '';
    const valueMap = e.valueMap && typeof e.valueMap === 'object' ? (e.valueMap as Record<string, unknown>) : {};
    return {
      ...BLANK,
      ...Object.fromEntries(PARTS.map((p) => [p, text(e[p])])),
      valueMap: Object.entries(valueMap)
        .map(([from, to]) => `${from} = ${text(to)}`)
        .join('\n'),
      whenSource: text(when.source),
      whenTest: test,
      whenValue: test ? text(when[test]) : '',
    };
  });
}

/**
 * The posted rows, and the mapping they make: blank rows are skipped, blank parts left out.
 * `rowOfEntry` says which row each entry came from, to put the API's messages
 * (`mapping.<entry>.…`) next to the right row. Values are kept as text; a value map is one
 * `from = to` per line. No rows at all means no mapping of its own (the kind's default).
 */
export function readMappingForm(form: FormValues): { rows: MappingRow[]; mapping: unknown[] | null; rowOfEntry: number[] } {
  const count = Number(formText(form, 'rows')) || 0;
  const rows: MappingRow[] = [];
  for (let i = 0; i < Math.min(count, 600); i++) {
    const row = Object.fromEntries(Object.keys(BLANK).map((k) => [k, formText(form, `mapping.${i}.${k}`)])) as unknown as MappingRow;
    rows.push(row);
  }
  const mapping: unknown[] = [];
  const rowOfEntry: number[] = [];
  rows.forEach((row, i) => {
    // The selects always send a value (`equals`, "as is"): a row is blank when what is typed is.
    if (TYPED.every((k) => row[k].trim() === '')) return;
    const entry: Record<string, unknown> = {};
    for (const p of PARTS) if (row[p].trim() !== '') entry[p] = p === 'valueMap' ? readValueMap(row.valueMap) : row[p].trim();
    if (row.whenSource.trim() !== '') {
      const test = row.whenTest || 'equals';
      entry.when = { source: row.whenSource.trim(), [test]: test === 'exists' ? row.whenValue.trim() !== 'false' : row.whenValue };
    }
    mapping.push(entry);
    rowOfEntry.push(i);
  });
  return { rows, mapping: mapping.length > 0 ? mapping : null, rowOfEntry };
}

/** `from = to` per line; a line without "=" is passed on as typed so the API explains the shape. */
function readValueMap(textValue: string): Record<string, string> | string {
  const out: Record<string, string> = {};
  for (const line of textValue.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    if (at < 0) return textValue;
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

/** The API's `mapping.<entry>.<part>` messages moved to `mapping.<row>.<part>`. */
export function errorsByRow(errors: FieldErrors, rowOfEntry: number[]): FieldErrors {
  const out: FieldErrors = {};
  for (const [path, message] of Object.entries(errors)) {
    const m = /^mapping\.(\d+)(\..*)?$/.exec(path);
    const row = m ? rowOfEntry[Number(m[1])] : undefined;
    out[row === undefined ? path : `mapping.${row}${m?.[2] ?? ''}`] = message;
  }
  return out;
}

/** Every row's inputs, with its errors; `rows` tells the server how many were shown. */
export function MappingRows(props: { rows: MappingRow[]; errors: FieldErrors }) {
  const rows = [...props.rows, ...Array.from({ length: SPARE_ROWS }, () => BLANK)];
  return (
    <>
      <input type="hidden" name="rows" value={String(rows.length)} />
      {rows.map((row, i) => (
        <MappingRowFields index={i} row={row} errors={props.errors} />
      ))}
    </>
  );
}

function MappingRowFields(props: { index: number; row: MappingRow; errors: FieldErrors }) {
  const { index: i, row } = props;
  const name = (part: string) => `mapping.${i}.${part}`;
  const id = (part: string) => `f-mapping-${i}-${part}`;
  const rowError = props.errors[`mapping.${i}`];
  const errorOf = (part: string) => Object.entries(props.errors).find(([p]) => p === name(part) || p.startsWith(`${name(part)}.`))?.[1];
  const input = (part: keyof MappingRow, label: string, hint?: string) => {
    const error = part === 'whenSource' ? errorOf('when') : errorOf(part);
    return (
      <div>
        <label for={id(part)}>{label}</label>
        <input
          id={id(part)}
          name={name(part)}
          type="text"
          value={row[part]}
          autocomplete="off"
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={[hint ? `${id(part)}-hint` : '', error ? `${id(part)}-error` : ''].filter(Boolean).join(' ') || undefined}
        />
        {hint ? (
          <p class="hint" id={`${id(part)}-hint`}>
            {hint}
          </p>
        ) : null}
        {error ? (
          <p class="error" id={`${id(part)}-error`}>
            {error}
          </p>
        ) : null}
      </div>
    );
  };
  const valueMapError = errorOf('valueMap');
  return (
    <fieldset>
      <legend>{`Field ${i + 1}`}</legend>
      {rowError ? <p class="error">{rowError}</p> : null}
      <div class="grid">
        {input('target', 'Target', 'The field name the destination receives')}
        {input('source', 'Source path', 'Such as referral.email or member.customFields.plan')}
        {input('template', 'Template', 'Text with {{path}} placeholders')}
        {input('constant', 'Constant')}
      </div>
      <div class="grid">
        <div>
          <label for={id('valueMap')}>Value map</label>
          <textarea
            id={id('valueMap')}
            name={name('valueMap')}
            aria-invalid={valueMapError ? 'true' : undefined}
            aria-describedby={`${id('valueMap')}-hint${valueMapError ? ` ${id('valueMap')}-error` : ''}`}
          >
            {row.valueMap}
          </textarea>
          <p class="hint" id={`${id('valueMap')}-hint`}>
            One "from = to" per line
          </p>
          {valueMapError ? (
            <p class="error" id={`${id('valueMap')}-error`}>
              {valueMapError}
            </p>
          ) : null}
        </div>
        <div>
          {input('noMatch', 'When no value matches', 'Sent when the value is not in the value map (else it is sent as is)')}
          {input('empty', 'Default when empty', 'Sent when the value is missing or empty')}
        </div>
        <div>
          {input('format', 'Format', 'date:yyyy-MM-dd, number:2 or boolean:Yes/No')}
          <label for={id('case')}>Case</label>
          <select id={id('case')} name={name('case')}>
            {['', 'upper', 'lower', 'title'].map((c) => (
              <option value={c} selected={row.case === c}>
                {c || 'as is'}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div class="grid">
        {input('whenSource', 'Only when path', 'Leave blank to always send this field')}
        <div>
          <label for={id('whenTest')}>Test</label>
          <select id={id('whenTest')} name={name('whenTest')}>
            {['equals', 'contains', 'exists'].map((t) => (
              <option value={t} selected={row.whenTest === t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        {input('whenValue', 'Test value', 'For exists: true or false')}
      </div>
    </fieldset>
  );
}
