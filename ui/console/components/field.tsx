import type { Child } from 'hono/jsx';

export type FieldErrors = Record<string, string>;

/**
 * A labelled input with its hint and error: the error is tied to the input (aria-describedby)
 * so a screen reader announces it with the field.
 */
export function Field(props: {
  name: string;
  label: string;
  type?: string;
  value?: string | number | null;
  errors?: FieldErrors;
  hint?: Child;
  required?: boolean;
  autocomplete?: string;
  placeholder?: string;
  min?: number | string;
  max?: number | string;
  step?: string;
  inputmode?: 'decimal' | 'numeric' | 'email' | 'url';
  autofocus?: boolean;
}) {
  const id = `f-${props.name.replace(/[^\w-]/g, '-')}`;
  const error = props.errors?.[props.name];
  const described = [props.hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value === null || props.value === undefined ? '' : String(props.value)}
        required={props.required}
        autocomplete={props.autocomplete}
        placeholder={props.placeholder}
        min={props.min}
        max={props.max}
        step={props.step}
        inputmode={props.inputmode}
        autofocus={props.autofocus}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
      />
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
