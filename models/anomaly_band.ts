/**
 * Forecast-band anomalies on closed hours: the actual against the p10-p90 band of the forecast
 * for that hour, scored robustly: the residual in band-sigma units, centred and scaled by the
 * median and 1.4826 x MAD of the series' recent such residuals (the band alone while a series
 * has under a day of history). A flag needs both: outside the band and |z| >= the threshold.
 */
import type { Sql } from "../lib/db.ts";
import { HOUR_MS } from "./calendar.ts";
import {
  type AnomalyThresholds,
  DEFAULT_THRESHOLDS,
  robustScale,
  type Severity,
  severityOf,
} from "./anomaly_score.ts";
import { closedWindows } from "./anomaly_windows.ts";

/** One hour of one series with its forecast and the series' earlier residuals. */
export interface BandObservation {
  store: string;
  category: string;
  windowStart: number;
  actual: number;
  p10: number;
  p50: number;
  p90: number;
  /** Normalised residuals ({@link normalisedResidual}) of earlier open hours of this series. */
  history: number[];
}

/** A band anomaly ready for anomaly_flags. */
export interface BandFlag {
  kind: "sales_high" | "sales_low";
  store: string;
  category: string;
  windowStart: number;
  windowEnd: number;
  severity: Severity;
  score: number;
  actual: number;
  expectedLow: number;
  expectedHigh: number;
  expected: number;
}

/**
 * The residual in units of the band's own sigma ((p90 - p10) / 2.563 for a normal band), so
 * busy and quiet hours of one series share one scale.
 */
export function normalisedResidual(actual: number, p10: number, p50: number, p90: number): number {
  return (actual - p50) / Math.max(1, (p90 - p10) / 2.5631);
}

/** Scores one observation; a flag or null. */
export function scoreBand(
  o: BandObservation,
  th: AnomalyThresholds = DEFAULT_THRESHOLDS,
): BandFlag | null {
  // A closed hour (the forecast is 0): stray sales after closing are not worth a flag.
  if (o.p90 <= 0) return null;
  if (o.actual >= o.p10 && o.actual <= o.p90) return null;
  // Nothing sold in a whole store (or the chain) during an hour it was 90 % sure to sell in:
  // an outage, whatever the band's width says.
  if (o.category === "*" && o.actual <= 0 && o.p10 > 0) {
    return {
      kind: "sales_low",
      store: o.store,
      category: o.category,
      windowStart: o.windowStart,
      windowEnd: o.windowStart + HOUR_MS,
      severity: "critical",
      score: Math.max(th.bandZ, 10),
      actual: 0,
      expectedLow: o.p10,
      expectedHigh: o.p90,
      expected: o.p50,
    };
  }
  const u = normalisedResidual(o.actual, o.p10, o.p50, o.p90);
  let center = 0, scale = 1;
  if (o.history.length >= 24) {
    const r = robustScale(o.history);
    center = r.center;
    scale = Math.max(r.scale, 0.5);
  }
  const z = (u - center) / scale;
  if (Math.abs(z) < th.bandZ) return null;
  return {
    kind: z > 0 ? "sales_high" : "sales_low",
    store: o.store,
    category: o.category,
    windowStart: o.windowStart,
    windowEnd: o.windowStart + HOUR_MS,
    severity: severityOf(z),
    score: Math.abs(z),
    actual: o.actual,
    expectedLow: o.p10,
    expectedHigh: o.p90,
    expected: o.p50,
  };
}

/**
 * Checks the closed hours in [now - lookback, now - grace) against the stored hourly forecasts
 * and writes new flags (re-checks never duplicate them). Returns the flags written.
 */
export async function checkForecastBand(
  sql: Sql,
  now: number,
  opts: { lookbackHours?: number; graceMs?: number; thresholds?: AnomalyThresholds } = {},
): Promise<BandFlag[]> {
  const lookback = opts.lookbackHours ?? 3;
  const { from, to: lastClosed } = closedWindows(now, HOUR_MS, lookback, opts.graceMs);
  const histFrom = from - 7 * 24 * HOUR_MS;
  const rows = await sql<{
    store_id: string;
    category: string;
    bucket: Date;
    p10: number;
    p50: number;
    p90: number;
    actual: number;
  }[]>`
    with actuals as (
      select store_id, category, bucket, sales_cents from rollup_hour
      where store_id <> '*' and category <> '*' and bucket >= ${new Date(histFrom)}
        and bucket < ${new Date(lastClosed)}
      union all
      select store_id, '*', bucket, sum(sales_cents) from rollup_hour
      where store_id <> '*' and category <> '*' and bucket >= ${new Date(histFrom)}
        and bucket < ${new Date(lastClosed)} group by store_id, bucket
      union all
      select '*', '*', bucket, sum(sales_cents) from rollup_hour
      where store_id <> '*' and category <> '*' and bucket >= ${new Date(histFrom)}
        and bucket < ${new Date(lastClosed)} group by bucket)
    select f.store_id, f.category, f.bucket, f.p10_cents as p10, f.p50_cents as p50,
           f.p90_cents as p90, coalesce(a.sales_cents, 0)::bigint as actual
    from forecasts f
    left join actuals a using (store_id, category, bucket)
    where f.resolution = 'hour' and f.bucket >= ${new Date(histFrom)}
      and f.bucket < ${new Date(lastClosed)}
    order by f.store_id, f.category, f.bucket`;
  const flags: BandFlag[] = [];
  const history = new Map<string, number[]>();
  for (const r of rows) {
    const key = `${r.store_id}\u0000${r.category}`;
    const h = history.get(key) ?? [];
    history.set(key, h);
    const t = new Date(r.bucket).getTime();
    const obs: BandObservation = {
      store: r.store_id,
      category: r.category,
      windowStart: t,
      actual: Number(r.actual),
      p10: r.p10,
      p50: r.p50,
      p90: r.p90,
      history: h.slice(-168),
    };
    if (t >= from) {
      const f = scoreBand(obs, opts.thresholds);
      if (f) flags.push(f);
    }
    if (r.p90 > 0 || obs.actual > 0) h.push(normalisedResidual(obs.actual, r.p10, r.p50, r.p90));
  }
  return await writeBandFlags(sql, flags);
}

/** Inserts band flags with their evidence (largest receipts of the hour); returns new ones. */
export async function writeBandFlags(sql: Sql, flags: BandFlag[]): Promise<BandFlag[]> {
  const written: BandFlag[] = [];
  for (const f of flags) {
    const receipts = f.store === "*" ? [] : await sql<{ transaction_id: string }[]>`
      select transaction_id from receipts where store_id = ${f.store}
        and ts >= ${new Date(f.windowStart)} and ts < ${new Date(f.windowEnd)}
      order by total_cents desc limit 10`;
    const evidence = {
      expected: f.expected,
      receipts: receipts.map((r) => [f.store, r.transaction_id]),
      explanation: `${f.kind === "sales_high" ? "sales above" : "sales below"} the forecast band: ${
        (f.actual / 100).toFixed(2)
      } vs expected ${(f.expectedLow / 100).toFixed(2)}-${(f.expectedHigh / 100).toFixed(2)}`,
    };
    const res = await sql`insert into anomaly_flags (detector, kind, store_id, category,
        window_start, window_end, severity, score, actual, expected_low, expected_high, evidence)
      values ('forecast_band', ${f.kind}, ${f.store}, ${f.category === "*" ? null : f.category},
        ${new Date(f.windowStart)}, ${new Date(f.windowEnd)}, ${f.severity}, ${f.score},
        ${f.actual}, ${f.expectedLow}, ${f.expectedHigh}, ${sql.json(evidence)})
      on conflict do nothing returning id`;
    if (res.length) written.push(f);
  }
  return written;
}
