/**
 * Daily forecasts for the next 14 days per store x category, store and chain, from `rollup_day`.
 * A statistical design, measured like the hourly one: p50 is the mean of the same weekday over
 * the last four weeks; p10/p90 multiply it by the 10th/90th percentiles of actual/p50 ratios seen
 * over the last 14 days (pooled per level: category, store, chain). Days are store-local dates;
 * a daily row's bucket is that date at 00:00 UTC.
 */
import type { Sql } from "../lib/db.ts";
import { DAY_MS } from "./calendar.ts";
import { loadDaily, type SeriesSet } from "./series.ts";
import { mae, round, seasonalNaiveScale } from "./metrics.ts";
import { quantileSorted } from "simple-statistics";

/** One daily forecast row. */
export interface DailyRow {
  store: string;
  category: string;
  day: string;
  p10: number;
  p50: number;
  p90: number;
}

const levelOf = (store: string, cat: string) =>
  store === "*" ? "chain" : cat === "*" ? "store" : "category";

/** Index of the first day with sales: days before it are before the series existed, not zeros. */
function firstDay(v: Float64Array): number {
  const i = v.findIndex((x) => x > 0);
  return i === -1 ? v.length : i;
}

/** Mean of the same weekday over up to the four previous weeks, within the series' history. */
function sameWeekdayMean(v: Float64Array, t: number, first: number): number {
  let s = 0, n = 0;
  for (let k = 1; k <= 4; k++) {
    const i = t - 7 * k;
    if (i >= first && i < v.length) {
      s += v[i];
      n++;
    }
  }
  return n ? s / n : 0;
}

/** Ratio quantiles per level and the backtest's MASE against seasonal naive (lag 7). */
export function dailyCalibration(set: SeriesSet, days = 14) {
  const ratios = new Map<string, number[]>();
  let err = 0, base = 0, count = 0;
  for (const s of set.series) {
    const lv = levelOf(s.store, s.category);
    const list = ratios.get(lv) ?? [];
    ratios.set(lv, list);
    // Score days with at least a week of the series' own history before them (a young history
    // padded with zeros would halve the mean and skew every ratio).
    const first = firstDay(s.values);
    const from = Math.max(first + 7, set.length - days);
    const ys: number[] = [], fs: number[] = [], bs: number[] = [];
    for (let t = from; t < set.length; t++) {
      const f = sameWeekdayMean(s.values, t, first);
      if (f > 0) list.push(s.values[t] / f);
      ys.push(s.values[t]);
      fs.push(f);
      bs.push(s.values[t - 7]);
    }
    const scale = seasonalNaiveScale(s.values.subarray(first, from), 7);
    if (ys.length && scale > 0) {
      err += mae(ys, fs) / scale;
      base += mae(ys, bs) / scale;
      count++;
    }
  }
  const q: Record<string, [number, number]> = {};
  for (const [lv, list] of ratios) {
    list.sort((a, b) => a - b);
    q[lv] = list.length >= 10 ? [quantileSorted(list, 0.1), quantileSorted(list, 0.9)] : [0.7, 1.3];
  }
  return { q, mase: round(err / count), baselineMase: round(base / count) };
}

/** Forecasts `horizon` days after `today` (a 'YYYY-MM-DD' date, excluded from history). */
export async function forecastDaily(
  sql: Sql,
  today: string,
  horizon = 14,
): Promise<{ rows: DailyRow[]; mase: number; baselineMase: number }> {
  const end = Date.parse(`${today}T00:00:00Z`);
  const from = new Date(end - 8 * 7 * DAY_MS).toISOString().slice(0, 10);
  const set = await loadDaily(sql, from, today);
  if (set.length < 14) return { rows: [], mase: NaN, baselineMase: NaN };
  const cal = dailyCalibration(set);
  const rows: DailyRow[] = [];
  for (const s of set.series) {
    const [lo, hi] = cal.q[levelOf(s.store, s.category)] ?? [0.7, 1.3];
    const first = firstDay(s.values);
    for (let d = 0; d < horizon; d++) {
      // Target index t = length + d: its same weekday k weeks back is t - 7k (k chosen in range).
      const t = set.length + d;
      let sum = 0, n = 0;
      for (let k = 1; n < 4 && k <= 8; k++) {
        if (t - 7 * k < set.length && t - 7 * k >= first) {
          sum += s.values[t - 7 * k];
          n++;
        }
      }
      const p50 = n ? sum / n : 0;
      rows.push({
        store: s.store,
        category: s.category,
        day: new Date(end + d * DAY_MS).toISOString().slice(0, 10),
        p10: Math.round(p50 * Math.min(lo, 1)),
        p50: Math.round(p50),
        p90: Math.round(p50 * Math.max(hi, 1)),
      });
    }
  }
  return { rows, mase: cal.mase, baselineMase: cal.baselineMase };
}
