/**
 * A uPlot chart of fixed daily series (a SKU's trend): drag to zoom into days, double-click to
 * reset. Days are the finest resolution SKU figures are kept at, so zooming rescales rather than
 * re-querying (the sales charts, islands/Chart.tsx, re-query finer buckets).
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import { count, money } from "../lib/dashboard/format.ts";

interface Props {
  id: string;
  /** Day starts, epoch ms (UTC midnight of the local date). */
  xs: number[];
  units: number[];
  revenue_cents: number[];
  currency: string;
  height?: number;
}

export default function TrendChart(
  { id, xs, units, revenue_cents, currency, height = 200 }: Props,
) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current!;
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth),
        height,
        ms: 1,
        tzDate: (ts) => uPlot.tzDate(new Date(ts), "UTC"),
        scales: { units: { auto: true }, y: { auto: true } },
        series: [
          {},
          {
            label: "Revenue",
            stroke: "#0f766e",
            fill: "rgba(15,118,110,0.10)",
            width: 2,
            value: (_u, v) => v === null ? "–" : money(v, currency),
          },
          {
            label: "Units",
            stroke: "#b45309",
            width: 1.5,
            scale: "units",
            value: (_u, v) => v === null ? "–" : count(v),
          },
        ],
        axes: [
          {},
          { size: 64, values: (_u, s) => s.map((v) => money(v, currency, { compact: true })) },
          { side: 1, scale: "units", grid: { show: false }, size: 56 },
        ],
      },
      [xs, revenue_cents, units],
      el,
    );
    const ro = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(280, el.clientWidth), height })
    );
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [xs, units, revenue_cents]);
  return <div class="chart-plot" id={id} ref={box} />;
}
