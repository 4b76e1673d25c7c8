import type { FieldErrors } from './field.js';
import { FieldNotes, fieldIds } from './field-notes.js';

/** A labelled <select> with its error, like Field. */
export function SelectField(props: {
  name: string;
  label: string;
  options: (string | { value: string; label: string })[];
  value?: string | null;
  errors?: FieldErrors;
  /** A first option meaning "none" / "any", with this label. */
  empty?: string;
  hint?: string;
}) {
  const error = props.errors?.[props.name];
  const { id, describedBy } = fieldIds(props.name, props.hint, error);
  return (
    <div>
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy}>
        {props.empty !== undefined ? <option value="">{props.empty}</option> : null}
        {props.options.map((o) => {
          const { value, label } = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option value={value} selected={value === props.value}>
              {label}
            </option>
          );
        })}
      </select>
      <FieldNotes id={id} hint={props.hint} error={error} />
    </div>
  );
}
