import type { FieldErrors } from './field.js';

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
  const id = `f-${props.name.replace(/[^\w-]/g, '-')}`;
  const error = props.errors?.[props.name];
  return (
    <div>
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? `${id}-error` : props.hint ? `${id}-hint` : undefined}
      >
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
      {props.hint ? (
        <p class="hint" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {error ? (
        <p class="error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
