export interface ChartSeries {
  label: string;
  values: number[];
  /** Stroke colour; each series also has its own dash pattern and marker, so colour is never the only cue. */
  color: string;
  dash?: string;
}

const W = 640;
const H = 220;
const PAD = { left: 36, right: 12, top: 12, bottom: 28 };

/**
 * Counts per day as an inline SVG line chart, rendered on the server (no script). It is an
 * image with a title and description for screen readers; the page gives the numbers as text too.
 */
export function DailyChart(props: { id: string; title: string; description: string; days: string[]; series: ChartSeries[] }) {
  const max = Math.max(1, ...props.series.flatMap((s) => s.values));
  // A round top for the axis: 1, 2, 5, 10, 20, 50, …
  const step = 10 ** Math.floor(Math.log10(max));
  const top = [1, 2, 5, 10].map((m) => m * step).find((t) => t >= max) ?? max;
  const n = props.days.length;
  const x = (i: number) => PAD.left + (n <= 1 ? 0 : (i * (W - PAD.left - PAD.right)) / (n - 1));
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  // Counts are whole numbers: no half-way line when it would read 0.5.
  const ticks = Number.isInteger(top / 2) ? [0, top / 2, top] : [0, top];
  return (
    <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${props.id}-title ${props.id}-desc`} xmlns="http://www.w3.org/2000/svg">
      <title id={`${props.id}-title`}>{props.title}</title>
      <desc id={`${props.id}-desc`}>{props.description}</desc>
      {ticks.map((t) => (
        <g>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#d5d5cf" stroke-width="1" />
          <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end" font-size="11" fill="#52524c">
            {t}
          </text>
        </g>
      ))}
      {[0, Math.floor((n - 1) / 2), n - 1]
        .filter((i, k, all) => i >= 0 && all.indexOf(i) === k)
        .map((i) => (
          <text x={x(i)} y={H - 8} text-anchor={i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'} font-size="11" fill="#52524c">
            {props.days[i]?.slice(5)}
          </text>
        ))}
      {props.series.map((s) => (
        <g>
          <polyline
            points={s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
            fill="none"
            stroke={s.color}
            stroke-width="2"
            stroke-dasharray={s.dash}
          />
          {s.values.map((v, i) => (v > 0 ? <circle cx={x(i).toFixed(1)} cy={y(v).toFixed(1)} r="2.5" fill={s.color} /> : null))}
        </g>
      ))}
    </svg>
  );
}

/** The legend under a chart: each series' name next to a sample of its line. */
export function ChartLegend(props: { series: ChartSeries[] }) {
  return (
    <ul class="legend">
      {props.series.map((s) => (
        <li>
          <svg viewBox="0 0 24 8" width="24" height="8" aria-hidden="true">
            <line x1="0" x2="24" y1="4" y2="4" stroke={s.color} stroke-width="2" stroke-dasharray={s.dash} />
          </svg>{' '}
          {s.label}
        </li>
      ))}
    </ul>
  );
}
