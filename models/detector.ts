/**
 * The general detector for any regularly sampled `timestamp,value` series, with no forecast
 * model. Each point is compared with a robust seasonal expectation (same slot 1-3 weeks back, or
 * 1-3 days back while there is less than a week, each corrected by the median of recent
 * differences), scored as |residual| / (1.4826 x MAD of recent residuals), and only then
 * remembered — so every decision uses the points up to and including it, as on a live stream.
 * Medians make one spike invisible to later expectations; a level shift is flagged for a few
 * points and then absorbed.
 */
import { DAY_MS } from "../lib/clock.ts";

/** Options of the detector. */
export interface DetectorOptions {
  /** Score at or above which a point is an anomaly (default 5). */
  threshold?: number;
  /** Points seen before any flag is raised (default: one day of points, at least 24). */
  warmup?: number;
}

/** One scored point. */
export interface ScoredPoint {
  t: number;
  value: number;
  expected: number;
  score: number;
  isAnomaly: boolean;
}

/** The most common gap between consecutive sorted timestamps (the sampling interval), ms. */
export function detectInterval(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (let i = 1; i < sorted.length; i++) {
    const d = sorted[i] - sorted[i - 1];
    if (d > 0) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0, bestN = 0;
  for (const [d, n] of counts) if (n > bestN || (n === bestN && d < best)) [best, bestN] = [d, n];
  if (!best) {
    throw new Error("cannot detect a sampling interval: need at least two distinct timestamps");
  }
  return best;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** An online detector for one series sampled every `intervalMs`. */
export class OnlineDetector {
  readonly daySlots: number;
  readonly weekSlots: number;
  private readonly values: number[] = [];
  private t0 = NaN;
  private readonly resid: number[] = [];
  private sigma = NaN;
  private seen = 0;
  private readonly threshold: number;
  private readonly warmup: number;
  private readonly window: number;
  /** Recent points used for the level correction (and the local median of unseasonal data). */
  private readonly recent = 6;

  constructor(readonly intervalMs: number, opts: DetectorOptions = {}) {
    const perDay = DAY_MS / intervalMs;
    const whole = Number.isInteger(perDay);
    this.daySlots = whole && perDay >= 2 && perDay <= 2880 ? perDay : 0;
    this.weekSlots = whole && perDay >= 1 && perDay * 7 <= 20160 ? perDay * 7 : 0;
    this.threshold = opts.threshold ?? 5;
    // With weekly seasonality the first week is learning only (<= 2016 points, i.e. 5-minute
    // or coarser data): before it, a normal weekend looks like a level change.
    const season = this.weekSlots && this.weekSlots <= 2016
      ? this.weekSlots
      : 2 * (this.daySlots || 12);
    this.warmup = opts.warmup ?? Math.max(24, season);
    this.window = Math.min(1000, Math.max(50, 2 * (this.daySlots || 24)));
  }

  private at(i: number): number {
    return i >= 0 && i < this.values.length ? this.values[i] : NaN;
  }

  /**
   * Expected value at index i: for each seasonal lag L (1-3 weeks, else 1-3 days), the value L
   * steps back plus the median of the last few differences v[j] - v[j-L]; the median over lags.
   * Each lag corrects itself, so a level shift is absorbed after a few points without the
   * expectation jumping when the shift later enters the lagged values.
   */
  private expected(i: number): number {
    const lags = this.weekSlots && i >= this.weekSlots
      ? [1, 2, 3].map((k) => k * this.weekSlots)
      : this.daySlots && i >= this.daySlots
      ? [1, 2, 3].map((k) => k * this.daySlots)
      : [];
    const candidates: number[] = [];
    for (const L of lags) {
      const base = this.at(i - L);
      if (Number.isNaN(base)) continue;
      const diffs: number[] = [];
      for (let j = i - 1; j >= 0 && j >= i - 4 * this.recent && diffs.length < this.recent; j--) {
        const d = this.at(j) - this.at(j - L);
        if (!Number.isNaN(d)) diffs.push(d);
      }
      candidates.push(base + (diffs.length ? median(diffs) : 0));
    }
    if (candidates.length) return median(candidates);
    const last: number[] = [];
    for (let j = i - 1; j >= 0 && last.length < this.recent; j--) {
      if (!Number.isNaN(this.at(j))) last.push(this.at(j));
    }
    return last.length ? median(last) : NaN;
  }

  /** Scores the point at `t`, then learns from it. */
  push(t: number, value: number): ScoredPoint {
    if (Number.isNaN(this.t0)) this.t0 = t;
    const i = Math.round((t - this.t0) / this.intervalMs);
    while (this.values.length <= i) this.values.push(NaN);
    const exp = this.expected(i);
    const expected = Number.isNaN(exp) ? value : exp;
    const r = value - expected;
    const floor = 1e-9 + 1e-3 * Math.abs(expected);
    const sigma = Number.isFinite(this.sigma) ? Math.max(this.sigma, floor) : Infinity;
    const warm = this.seen >= this.warmup && Number.isFinite(sigma);
    const score = warm ? Math.abs(r) / sigma : 0;
    const isAnomaly = warm && score >= this.threshold;
    this.values[i] = value;

    // Residuals are winsorised so that anomalies do not widen the scale they are judged by.
    const kept = warm ? Math.max(-this.threshold * sigma, Math.min(this.threshold * sigma, r)) : r;
    this.resid.push(kept);
    if (this.resid.length > this.window) this.resid.shift();
    if ((this.seen % 5 === 0 || !Number.isFinite(this.sigma)) && this.resid.length >= 10) {
      const med = median(this.resid);
      const dev = this.resid.map((x) => Math.abs(x - med));
      // Discrete data (counts, repeated values) can have MAD 0; half the mean deviation keeps
      // the scale honest without letting a few large residuals dominate it.
      const meanDev = dev.reduce((a, b) => a + b, 0) / dev.length;
      this.sigma = Math.max(1.4826 * median(dev), 0.5 * 1.2533 * meanDev);
    }
    this.seen++;
    return { t, value, expected, score, isAnomaly };
  }
}

/**
 * Scores a whole series online: sorted by time (ties keep input order), the interval detected
 * from the data. Returns scores in the input's order.
 */
export function detectSeries(
  points: { t: number; value: number }[],
  opts: DetectorOptions & { intervalMs?: number } = {},
): { intervalMs: number; scored: ScoredPoint[] } {
  const intervalMs = opts.intervalMs ?? detectInterval(points.map((p) => p.t));
  const det = new OnlineDetector(intervalMs, opts);
  const order = points.map((_, i) => i).sort((a, b) => points[a].t - points[b].t || a - b);
  const scored = new Array<ScoredPoint>(points.length);
  for (const i of order) scored[i] = det.push(points[i].t, points[i].value);
  return { intervalMs, scored };
}
