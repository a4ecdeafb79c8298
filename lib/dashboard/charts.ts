/**
 * Initial data of the time charts, rendered with the page so a chart draws before any fetch.
 * Buckets come from the query API's own function (`salesBuckets`, pipeline/query.ts), so the
 * page and GET /api/v1/sales agree; the chart island re-queries that API when zoomed.
 */
import type { Runtime } from "../runtime.ts";
import type { Sql } from "../db.ts";
import { salesBuckets } from "../../pipeline/query.ts";
import { BUCKET_MS, type Resolution } from "../../pipeline/series.ts";
import { localMidnight } from "./scope.ts";

/** Columnar chart data (uPlot's shape): x in epoch ms, values in minor units. */
export interface ChartData {
  interval: Resolution;
  from: number;
  to: number;
  xs: number[];
  sales: number[];
  /** The same buckets one comparison period earlier (null where unknown). */
  compare: (number | null)[];
  /** Forecast band p10/p50/p90 per bucket (null where no forecast). */
  band?: { p10: (number | null)[]; p50: (number | null)[]; p90: (number | null)[] };
}

/** Comparison shift for a range: a week for ranges up to a week, else the range's own length. */
export function compareShift(from: number, to: number, interval: Resolution): number {
  const span = to - from + BUCKET_MS[interval];
  const week = 7 * 86_400_000;
  return span <= week ? week : span;
}

/** Sales of one series at `interval` over [from, to] plus the comparison period. */
export async function salesChart(
  rt: Runtime,
  q: { store_id: string; category?: string; interval: Resolution; from: number; to: number },
): Promise<ChartData> {
  const step = BUCKET_MS[q.interval];
  const from = Math.floor(q.from / step) * step;
  const to = Math.floor(q.to / step) * step;
  const shift = compareShift(from, to, q.interval);
  const base = { interval: q.interval, store_id: q.store_id, category: q.category ?? "*" };
  const [now, before] = await Promise.all([
    salesBuckets(rt, { ...base, from, to }),
    salesBuckets(rt, { ...base, from: from - shift, to: to - shift }),
  ]);
  return {
    interval: q.interval,
    from,
    to,
    xs: now.buckets.map((b) => b.bucket),
    sales: now.buckets.map((b) => b.sales_cents),
    compare: before.buckets.map((b) => b.sales_cents),
  };
}

/** Minute by minute over the last two hours. */
export function lastTwoHours(rt: Runtime, storeId: string, now: number): Promise<ChartData> {
  return salesChart(rt, {
    store_id: storeId,
    interval: "minute",
    from: now - 119 * 60_000,
    to: now,
  });
}

/** Today's hours in `timezone` (from local midnight to the day's end) with the forecast band. */
export async function todayHourly(
  rt: Runtime,
  storeId: string,
  timezone: string,
  now: number,
): Promise<ChartData> {
  const from = localMidnight(now, timezone);
  const to = Math.max(now, from + 23 * 3_600_000);
  const chart = await salesChart(rt, { store_id: storeId, interval: "hour", from, to });
  // Future hours have no sales yet: show gaps, not zeros, so the line stops at now.
  chart.sales = chart.sales.map((v, i) => chart.xs[i] > now ? null as unknown as number : v);
  chart.band = await forecastBand(rt.sql, storeId, chart.xs);
  return chart;
}

/** Hourly forecast p10/p50/p90 aligned to `xs`; undefined when there are no forecasts. */
export async function forecastBand(
  sql: Sql,
  storeId: string,
  xs: number[],
): Promise<ChartData["band"]> {
  if (!xs.length) return undefined;
  const rows = await sql<{ bucket: Date; p10: number; p50: number; p90: number }[]>`
    select bucket, p10_cents as p10, p50_cents as p50, p90_cents as p90 from forecasts
    where store_id = ${storeId} and category = '*' and resolution = 'hour'
      and bucket between ${new Date(xs[0])} and ${new Date(xs[xs.length - 1])}`;
  if (!rows.length) return undefined;
  const by = new Map(rows.map((r) => [r.bucket.getTime(), r]));
  return {
    p10: xs.map((x) => by.get(x)?.p10 ?? null),
    p50: xs.map((x) => by.get(x)?.p50 ?? null),
    p90: xs.map((x) => by.get(x)?.p90 ?? null),
  };
}
