/** A tiny SVG line of a series (no JS, no inline style: SVG attributes only). */

/** Props of {@link Sparkline}. */
export interface SparklineProps {
  values: number[];
  width?: number;
  height?: number;
  label?: string;
}

/** Polyline scaled to the box; an empty series draws a flat baseline. */
export function Sparkline({ values, width = 120, height = 28, label }: SparklineProps) {
  const max = Math.max(1, ...values);
  const n = Math.max(values.length - 1, 1);
  const points = values.length
    ? values.map((v, i) =>
      `${(i / n * width).toFixed(1)},${(height - 2 - v / max * (height - 4)).toFixed(1)}`
    ).join(" ")
    : `0,${height - 2} ${width},${height - 2}`;
  return (
    <svg
      class="spark"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label={label ?? "trend"}
      preserveAspectRatio="none"
    >
      <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.5" />
    </svg>
  );
}
