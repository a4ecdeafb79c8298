/**
 * Robust residual scoring shared by the anomaly detectors: median/MAD scale, severity levels,
 * and the Poisson tail used for count bursts.
 */

/** Severity of a flag, as stored in anomaly_flags.severity. */
export type Severity = "low" | "medium" | "high" | "critical";

/** Thresholds of the detectors; stored as the anomaly model's parameters. */
export interface AnomalyThresholds {
  /** |robust z| at or above which an hourly actual outside the band is flagged. */
  bandZ: number;
  /** -log10 of the tail probability above which a count burst is flagged. */
  burstLog10P: number;
  /** Fewest events in a burst. */
  burstMin: number;
  /** Robust z of log(receipt total) above which a receipt is an outlier. */
  receiptZ: number;
  /** Share of a receipt's gross that counts as a heavy discount. */
  heavyDiscount: number;
}

/** Defaults, measured on synthetic labelled data (see docs/models.md). */
export const DEFAULT_THRESHOLDS: AnomalyThresholds = {
  bandZ: 6,
  burstLog10P: 5,
  burstMin: 3,
  receiptZ: 6,
  heavyDiscount: 0.3,
};

/** Median of numbers (NaN when empty). */
export function median(xs: ArrayLike<number>): number {
  if (!xs.length) return NaN;
  const s = Array.from(xs).sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median and 1.4826 x MAD (a robust standard deviation). */
export function robustScale(xs: ArrayLike<number>): { center: number; scale: number } {
  const center = median(xs);
  const dev = Array.from(xs, (x) => Math.abs(x - center));
  return { center, scale: 1.4826 * median(dev) };
}

/** Severity from a robust z (or -log10 p for counts). */
export function severityOf(z: number): Severity {
  const a = Math.abs(z);
  return a >= 10 ? "critical" : a >= 7 ? "high" : a >= 5 ? "medium" : "low";
}

/** -log10 P(X >= k) for X ~ Poisson(lambda), computed in log space. */
export function poissonTailLog10(k: number, lambda: number): number {
  if (k <= 0) return 0;
  const lam = Math.max(lambda, 1e-6);
  // P(X >= k) = 1 - sum_{i<k} pmf(i); for the tails we care about, sum the upper terms directly.
  const first = -lam + k * Math.log(lam) - logFactorial(k);
  let logTerm = first;
  let sum = Math.exp(logTerm);
  for (let i = k + 1; i < k + 200; i++) {
    logTerm += Math.log(lam / i);
    const t = Math.exp(logTerm);
    sum += t;
    if (t < sum * 1e-12) break;
  }
  if (sum > 0) return Math.min(300, -Math.log10(Math.min(1, sum)));
  return Math.min(300, -(first / Math.LN10));
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}
