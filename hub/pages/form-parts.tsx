/** Names of the fields every hosted form carries besides its own. */
export const CSRF_FIELD = 'csrf_token';
/** Robots fill every field they find; people never see this one. */
export const HONEYPOT_FIELD = 'website';

/** Per-field messages of a refused form, by field name. */
export type FieldErrors = Partial<Record<string, string>>;

/**
 * A labelled input; when refused, its message sits right under it, is announced with the field
 * (aria-describedby) and the field is marked invalid.
 */
export function Field(props: {
  name: string;
  label: string;
  type: 'email' | 'text';
  value?: string;
  error?: string;
  autocomplete: string;
  required?: boolean;
  hint?: string;
}) {
  const id = `f-${props.name}`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [props.hint ? hintId : '', props.error ? errorId : ''].filter(Boolean).join(' ');
  return (
    <div>
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="muted" id={hintId}>
          {props.hint}
        </p>
      ) : null}
      <input
        id={id}
        name={props.name}
        type={props.type}
        value={props.value ?? ''}
        autocomplete={props.autocomplete}
        required={props.required ?? false}
        maxlength={props.type === 'email' ? 254 : 100}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.error ? (
        <p class="error" id={errorId}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** The form token and the honeypot that every hosted form carries. */
export function FormGuards(props: { csrfToken: string }) {
  return (
    <>
      <input type="hidden" name={CSRF_FIELD} value={props.csrfToken} />
      <div class="hp" aria-hidden="true">
        <label for="f-website">Leave this field empty</label>
        <input id="f-website" name={HONEYPOT_FIELD} type="text" tabindex={-1} autocomplete="off" value="" />
      </div>
    </>
  );
}

/** A message for the whole form (not one field), read out when the page loads. */
export function FormAlert(props: { message?: string }) {
  return props.message ? (
    <p class="alert" role="alert">
      {props.message}
    </p>
  ) : null;
}
