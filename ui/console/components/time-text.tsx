/** A timestamp readable at a glance (UTC, to the minute) with the exact value for machines. */
export function TimeText(props: { at: string | Date | null | undefined }) {
  if (!props.at) return <span class="muted">—</span>;
  const d = typeof props.at === 'string' ? new Date(props.at) : props.at;
  if (Number.isNaN(d.getTime())) return <span>{String(props.at)}</span>;
  return (
    <time datetime={d.toISOString()} title={d.toISOString()}>
      {d.toISOString().slice(0, 16).replace('T', ' ')}
    </time>
  );
}
