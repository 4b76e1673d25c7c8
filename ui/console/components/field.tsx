import type { Child } from 'hono/jsx';
import { FieldNotes, fieldIds } from './field-notes.js';

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
  const error = props.errors?.[props.name];
  const { id, describedBy: described } = fieldIds(props.name, props.hint, error);
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
      <FieldNotes id={id} hint={props.hint} error={error} />
    </div>
  );
}
