import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Plain SVG charts for the dashboard. Each chart is an image with a text summary (`role="img"` + `aria-label`) and
 * the same figures as a table for screen readers (visually hidden), so nothing is only in the picture.
 */

export interface ChartSeries {
  readonly name: string;
  readonly values: readonly number[];
  /** The bar class: '' → `.bar`, 'alt' → `.bar.alt`. */
  readonly variant?: '' | 'alt';
}

export interface StackedBarChartProps {
  /** What the chart shows, e.g. "Billed minutes per day". */
  readonly title: string;
  /** One label per bar (e.g. the day). */
  readonly labels: readonly string[];
  /** Stacked series, bottom first; each has one value per label. */
  readonly series: readonly ChartSeries[];
  readonly format?: (value: number) => string;
}

const DEFAULT_WIDTH = 640;
const HEIGHT = 240;
const PAD_LEFT = 56;
const PAD_RIGHT = 8;
const PAD_TOP = 12;
const PAD_BOTTOM = 28;

/** A round upper bound for the axis: 1, 2 or 5 times a power of ten. */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

export function StackedBarChart(props: StackedBarChartProps) {
  // The drawing is as wide as its box, so its labels keep their size on a phone and on a wide screen.
  const ref = useRef<HTMLElement>(null);
  const [WIDTH, setWidth] = useState(DEFAULT_WIDTH);
  useEffect(() => {
    const element = ref.current;
    if (element === null || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(([entry]) => {
      const width = Math.round(entry?.contentRect.width ?? 0);
      if (width > 0) setWidth(Math.max(240, width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const format = props.format ?? ((v: number) => String(v));
  const count = props.labels.length;
  const totals = props.labels.map((_, i) => props.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const grand = totals.reduce((a, b) => a + b, 0);
  const max = niceMax(Math.max(0, ...totals));
  const plotWidth = WIDTH - PAD_LEFT - PAD_RIGHT;
  const plotHeight = HEIGHT - PAD_TOP - PAD_BOTTOM;
  const slot = count === 0 ? plotWidth : plotWidth / count;
  const barWidth = Math.max(1, slot * 0.7);
  const y = (value: number) => PAD_TOP + plotHeight - (value / max) * plotHeight;
  const labelEvery = Math.max(1, Math.ceil(count / Math.max(2, Math.floor(plotWidth / 60))));
  const peakIndex = totals.indexOf(Math.max(0, ...totals));
  const seriesTotals = props.series.map((s) => `${s.name} ${format(s.values.reduce((a, b) => a + b, 0))}`).join(', ');
  const summary =
    count === 0
      ? `${props.title}: no data.`
      : grand === 0
        ? `${props.title}, ${props.labels[0]} to ${props.labels[count - 1]}: nothing in this period.`
        : `${props.title}, ${props.labels[0]} to ${props.labels[count - 1]}: total ${format(grand)} (${seriesTotals}); highest ${format(totals[peakIndex] ?? 0)} on ${props.labels[peakIndex]}.`;

  return (
    <figure class="chart-figure" ref={ref}>
      <figcaption>
        <strong>{props.title}</strong>
        <span class="chart-legend" aria-hidden="true">
          {props.series.map((s) => (
            <span key={s.name} class="chart-legend-item">
              <svg width="12" height="12" class="chart" focusable="false">
                <rect class={s.variant === 'alt' ? 'bar alt' : 'bar'} width="12" height="12" rx="2" />
              </svg>
              {s.name}
            </span>
          ))}
        </span>
      </figcaption>
      <svg class="chart" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-label={summary} preserveAspectRatio="xMidYMid meet">
        {[0, 0.5, 1].map((fraction) => {
          const value = max * fraction;
          return (
            <g key={fraction}>
              <line x1={PAD_LEFT} x2={WIDTH - PAD_RIGHT} y1={y(value)} y2={y(value)} class="chart-grid" />
              <text x={PAD_LEFT - 6} y={y(value) + 4} text-anchor="end">
                {format(value)}
              </text>
            </g>
          );
        })}
        {props.labels.map((label, i) => {
          let base = 0;
          const x = PAD_LEFT + i * slot + (slot - barWidth) / 2;
          return (
            <g key={label}>
              {props.series.map((s) => {
                const value = s.values[i] ?? 0;
                if (value <= 0) return null;
                const top = y(base + value);
                const height = y(base) - top;
                base += value;
                return (
                  <rect key={s.name} class={s.variant === 'alt' ? 'bar alt' : 'bar'} x={x} y={top} width={barWidth} height={Math.max(0.5, height)}>
                    <title>{`${label} · ${s.name}: ${format(value)}`}</title>
                  </rect>
                );
              })}
              {i % labelEvery === 0 ? (
                <text x={x + barWidth / 2} y={HEIGHT - 8} text-anchor="middle">
                  {label}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <div class="visually-hidden">
      <table>
        <caption>{props.title}</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            {props.series.map((s) => (
              <th scope="col" key={s.name}>
                {s.name}
              </th>
            ))}
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {props.labels.map((label, i) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              {props.series.map((s) => (
                <td key={s.name}>{format(s.values[i] ?? 0)}</td>
              ))}
              <td>{format(totals[i] ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </figure>
  );
}
