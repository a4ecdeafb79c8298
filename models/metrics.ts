/**
 * Accuracy measures shared by the models: forecast errors (MASE, sMAPE, interval coverage,
 * pinball loss) and classifier quality (ROC AUC, PR AUC, Brier score, calibration).
 */

/** Mean absolute error. */
export function mae(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) s += Math.abs(actual[i] - predicted[i]);
  return actual.length ? s / actual.length : NaN;
}

/**
 * In-sample MAE of the seasonal naive forecast (value `season` steps earlier): the scale that
 * turns an MAE into MASE. Zero when the history repeats exactly; callers guard that.
 */
export function seasonalNaiveScale(
  history: ArrayLike<number>,
  season: number,
  skipZeroPairs = false,
): number {
  let s = 0, n = 0;
  for (let i = season; i < history.length; i++) {
    // Closed hours (zero now and a season ago) are skipped when the errors are too.
    if (skipZeroPairs && history[i] === 0 && history[i - season] === 0) continue;
    s += Math.abs(history[i] - history[i - season]);
    n++;
  }
  return n ? s / n : NaN;
}

/** Mean absolute scaled error: MAE divided by the in-sample seasonal naive MAE. */
export function mase(
  actual: ArrayLike<number>,
  predicted: ArrayLike<number>,
  scale: number,
): number {
  return scale > 0 ? mae(actual, predicted) / scale : NaN;
}

/** Symmetric MAPE in percent (0-200); pairs where both are zero count as a perfect 0. */
export function smape(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]) + Math.abs(predicted[i]);
    if (d > 0) s += (2 * Math.abs(actual[i] - predicted[i])) / d;
  }
  return actual.length ? (100 * s) / actual.length : NaN;
}

/** Share of actuals inside [low, high]. */
export function coverage(
  actual: ArrayLike<number>,
  low: ArrayLike<number>,
  high: ArrayLike<number>,
): number {
  let c = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] >= low[i] && actual[i] <= high[i]) c++;
  return actual.length ? c / actual.length : NaN;
}

/** Mean pinball (quantile) loss at quantile q. */
export function pinball(actual: ArrayLike<number>, pred: ArrayLike<number>, q: number): number {
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = actual[i] - pred[i];
    s += d >= 0 ? q * d : (q - 1) * d;
  }
  return actual.length ? s / actual.length : NaN;
}

/** ROC AUC by the rank-sum method (ties share ranks). Labels are 0/1; NaN if one class only. */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const n = labels.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    i = j + 1;
  }
  let pos = 0, sum = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === 1) {
      pos++;
      sum += ranks[i];
    }
  }
  const neg = n - pos;
  if (!pos || !neg) return NaN;
  return (sum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Area under the precision-recall curve (average precision). */
export function prAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const idx = Array.from({ length: labels.length }, (_, i) => i).sort((a, b) =>
    scores[b] - scores[a]
  );
  let pos = 0;
  for (let i = 0; i < labels.length; i++) pos += labels[i] === 1 ? 1 : 0;
  if (!pos) return NaN;
  let tp = 0, ap = 0;
  for (let k = 0; k < idx.length; k++) {
    if (labels[idx[k]] === 1) {
      tp++;
      ap += tp / (k + 1);
    }
  }
  return ap / pos;
}

/** Brier score: mean squared difference between probability and 0/1 outcome. */
export function brier(labels: ArrayLike<number>, probs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < labels.length; i++) s += (probs[i] - labels[i]) ** 2;
  return labels.length ? s / labels.length : NaN;
}

/** One calibration bin: mean predicted probability against the observed rate. */
export interface CalibrationBin {
  from: number;
  to: number;
  count: number;
  predicted: number;
  observed: number;
}

/** Reliability table over `bins` equal-width probability bins (empty bins omitted). */
export function calibration(
  labels: ArrayLike<number>,
  probs: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  const acc = Array.from({ length: bins }, () => ({ n: 0, p: 0, y: 0 }));
  for (let i = 0; i < labels.length; i++) {
    const b = Math.min(bins - 1, Math.floor(probs[i] * bins));
    acc[b].n++;
    acc[b].p += probs[i];
    acc[b].y += labels[i];
  }
  return acc.flatMap((a, b) =>
    a.n
      ? [{
        from: b / bins,
        to: (b + 1) / bins,
        count: a.n,
        predicted: a.p / a.n,
        observed: a.y / a.n,
      }]
      : []
  );
}

/** Precision and recall of predicted items against true items (both as sets of keys). */
export function precisionRecall(predicted: number, truePositives: number, actual: number) {
  return {
    precision: predicted ? truePositives / predicted : NaN,
    recall: actual ? truePositives / actual : NaN,
  };
}

/** Rounds for display and JSON (keeps NaN as null-friendly). */
export function round(x: number, digits = 4): number {
  return Number.isFinite(x) ? Number(x.toFixed(digits)) : NaN;
}
