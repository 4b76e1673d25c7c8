import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { roleAtLeast, type ConsoleEnv } from '../console-env.js';
import { CsrfField } from '../console-layout.js';

/** Whether the signed-in user may change things (editors and admins); viewers only look. */
export const canChange = (c: Context<ConsoleEnv>) => roleAtLeast(c.get('user').role, 'editor');

/**
 * A button that posts (approve, retry, revoke, …) as a small form that works without JavaScript.
 * Not rendered at all for viewers, who never see a control that would change something.
 */
export function ActionButton(props: {
  c: Context<ConsoleEnv>;
  action: string;
  label: Child;
  fields?: Record<string, string>;
  kind?: 'secondary' | 'danger';
  /** Asked in the browser first (when scripts run), for destructive actions. */
  confirm?: string;
}) {
  if (!canChange(props.c)) return null;
  return (
    <form class="inline" method="post" action={props.action} hx-confirm={props.confirm}>
      <CsrfField c={props.c} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => (
        <input type="hidden" name={name} value={value} />
      ))}
      <button type="submit" class={props.kind}>
        {props.label}
      </button>
    </form>
  );
}
