/**
 * "Next page" for a cursor-paginated list: the current filters kept, the cursor replaced. A
 * "First page" link when not on the first page (cursors only go forward, like the API).
 */
export function Pager(props: { path: string; query: Record<string, string | undefined>; nextCursor: string | null }) {
  const params = (cursor?: string) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(props.query)) if (v && k !== 'cursor') p.set(k, v);
    if (cursor) p.set('cursor', cursor);
    const s = p.toString();
    return s ? `${props.path}?${s}` : props.path;
  };
  if (!props.nextCursor && !props.query.cursor) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {props.query.cursor ? <a href={params()}>First page</a> : null}
      {props.nextCursor ? (
        <a href={params(props.nextCursor)} rel="next">
          Next page
        </a>
      ) : null}
    </nav>
  );
}
