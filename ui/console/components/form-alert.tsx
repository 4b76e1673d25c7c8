/** The message at the top of a refused form (the fields carry their own). */
export function FormAlert(props: { message?: string }) {
  if (!props.message) return null;
  return (
    <p class="alert" role="alert">
      {props.message}
    </p>
  );
}
