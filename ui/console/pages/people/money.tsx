/** An amount with its currency, in the table's number column style. */
export function Money(props: { amount: number | null | undefined; currency: string | null | undefined }) {
  if (props.amount === null || props.amount === undefined) return <span class="muted">—</span>;
  return <span>{`${props.amount.toFixed(2)} ${props.currency ?? ''}`.trim()}</span>;
}
