/**
 * Feature rows for the global hourly forecast network. A row describes one target hour `t` of
 * one series, forecast from origin `o = t - h + 1` (the first hour not yet known), h = 1..48:
 * store-local hour and weekday, holiday/promotion flags, the horizon, and lags that are known at
 * the origin — the same hour 1-4 weeks earlier, yesterday's hour when h <= 24, and the last
 * day's level against the week before. Every value is divided by the series' mean over the four
 * weeks before the origin, so one network serves small categories and whole stores alike.
 */
import type { SeriesSet } from "./series.ts";
import { type HourCalendar, hourCalendar, type SpecialDays } from "./calendar.ts";

/** Longest horizon, hours. */
export const MAX_H = 48;
/** Hours in a week: the seasonal lag. */
export const WEEK = 168;
/** Feature count of one row. */
export const NUM_FEATURES = 42;

/** Precomputed per-series state for building rows quickly. */
export interface FeatureContext {
  set: SeriesSet;
  /** Prefix sums per series for O(1) window means. */
  prefix: Float64Array[];
  cal: HourCalendar[];
  special: SpecialDays;
  /** Embedding index per series (0 = unknown). */
  storeIdx: Int32Array;
  catIdx: Int32Array;
}

/** Vocabulary of stores and categories: index 0 is reserved for values not seen in training. */
export interface Vocab {
  stores: string[];
  categories: string[];
}

/** Builds the vocabulary of a series set (sorted, '*' included). */
export function vocabOf(set: SeriesSet): Vocab {
  const stores = [...new Set(set.series.map((s) => s.store))].sort();
  const categories = [...new Set(set.series.map((s) => s.category))].sort();
  return { stores, categories };
}

/** Prepares a series set for row building; `extra` hours of calendar cover the future. */
export function featureContext(
  set: SeriesSet,
  vocab: Vocab,
  special: SpecialDays,
  extra = MAX_H,
): FeatureContext {
  const sIndex = new Map(vocab.stores.map((s, i) => [s, i + 1]));
  const cIndex = new Map(vocab.categories.map((c, i) => [c, i + 1]));
  return {
    set,
    special,
    prefix: set.series.map((s) => {
      const p = new Float64Array(s.values.length + 1);
      for (let i = 0; i < s.values.length; i++) p[i + 1] = p[i] + s.values[i];
      return p;
    }),
    cal: set.series.map((s) =>
      hourCalendar(set.start, set.length + extra, set.timezones.get(s.store) ?? "UTC")
    ),
    storeIdx: Int32Array.from(set.series, (s) => sIndex.get(s.store) ?? 0),
    catIdx: Int32Array.from(set.series, (s) => cIndex.get(s.category) ?? 0),
  };
}

/**
 * Index of the same store-local hour `k` weeks (k x 168 h) before `t`: one hour off across a
 * daylight-saving change, so lags compare like with like in local time. -1 before the data.
 */
export function weekLag(ctx: FeatureContext, s: number, t: number, k: number): number {
  const j = t - k * WEEK;
  const cal = ctx.cal[s];
  if (j < 0) return -1;
  if (cal.hour[j] === cal.hour[t]) return j;
  for (const d of [1, -1]) {
    const i = j + d;
    if (i >= 0 && i < t && cal.hour[i] === cal.hour[t] && cal.weekday[i] === cal.weekday[t]) {
      return i;
    }
  }
  return j;
}

/** Mean of series `s` over the four weeks before origin `o` (the row's scale); 0 if no sales. */
export function scaleAt(ctx: FeatureContext, s: number, o: number): number {
  const p = ctx.prefix[s];
  const lo = Math.max(0, o - 4 * WEEK);
  const hi = Math.min(o, p.length - 1);
  return hi > lo ? (p[hi] - p[lo]) / (hi - lo) : 0;
}

/**
 * Writes the row for series `s`, target hour `t`, horizon `h` into `out` at `off`. Returns the
 * scale, or 0 when the row is not forecastable: no sales in four weeks, less than one week of
 * history, or the same hour was empty in every past week (the store is closed then).
 */
export function fillRow(
  ctx: FeatureContext,
  s: number,
  t: number,
  h: number,
  out: Float32Array,
  off: number,
): number {
  const o = t - h + 1;
  const v = ctx.set.series[s].values;
  if (t - WEEK < 0) return 0;
  const scale = scaleAt(ctx, s, o);
  if (!(scale > 0)) return 0;
  const lags: number[] = [];
  for (let k = 1; k <= 4; k++) {
    const j = weekLag(ctx, s, t, k);
    if (j >= 0) lags.push(v[j] / scale);
  }
  if (lags.every((x) => x === 0)) return 0;
  const cal = ctx.cal[s];
  out.fill(0, off, off + NUM_FEATURES);
  out[off + cal.hour[t]] = 1;
  out[off + 24 + cal.weekday[t]] = 1;
  const store = ctx.set.series[s].store, date = cal.date[t];
  out[off + 31] = ctx.special.holiday(store, date) ? 1 : 0;
  out[off + 32] = ctx.special.promotion(store, date) ? 1 : 0;
  out[off + 33] = h / MAX_H;
  const mean = lags.reduce((a, b) => a + b, 0) / lags.length;
  for (let k = 0; k < 4; k++) out[off + 34 + k] = k < lags.length ? lags[k] : mean;
  out[off + 38] = mean;
  const p = ctx.prefix[s];
  const day = p[o] - p[Math.max(0, o - 24)];
  const dayBefore = o - 24 - WEEK >= 0 ? p[o - WEEK] - p[o - 24 - WEEK] : day;
  out[off + 39] = Math.log(Math.min(5, Math.max(0.2, (day + scale) / (dayBefore + scale))));
  out[off + 40] = h <= 24 && t - 24 >= 0 ? v[t - 24] / scale : lags[0];
  out[off + 41] = h <= 24 ? 1 : 0;
  return scale;
}
