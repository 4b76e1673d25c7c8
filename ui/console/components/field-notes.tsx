import type { Child } from 'hono/jsx';

/** The id of a form control named `name`, and the ids of its hint and error for aria-describedby. */
export function fieldIds(name: string, hint: unknown, error: string | undefined) {
  const id = `f-${name.replace(/[^\w-]/g, '-')}`;
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return { id, describedBy: described || undefined };
}

/** A control's hint and error under it, with the ids its aria-describedby names. */
export function FieldNotes(props: { id: string; hint?: Child; error?: string }) {
  return (
    <>
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p class="error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
    </>
  );
}
