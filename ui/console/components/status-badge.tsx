const TONE: Record<string, 'ok' | 'bad' | 'wait' | 'off'> = {
  active: 'ok',
  approved: 'ok',
  paid: 'ok',
  sent: 'ok',
  delivered: 'ok',
  succeeded: 'ok',
  success: 'ok',
  completed: 'ok',
  converted: 'ok',
  qualified: 'ok',
  healthy: 'ok',
  failed: 'bad',
  dead: 'bad',
  unclaimed: 'bad',
  failing: 'bad',
  denied: 'bad',
  rejected: 'bad',
  error: 'bad',
  disabled: 'off',
  empty: 'off',
  skipped: 'off',
  cancelled: 'off',
  paused: 'off',
  revoked: 'off',
  archived: 'off',
};

/** A status as text with a colour that repeats it (never colour alone). */
export function StatusBadge(props: { status: string | null | undefined }) {
  const status = props.status ?? 'unknown';
  return <span class={`badge ${TONE[status] ?? 'wait'}`}>{status.replaceAll('_', ' ')}</span>;
}
