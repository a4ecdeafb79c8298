/**
 * Scoring the anomaly detectors against labelled anomalies (`anomaly_labels`, written by the
 * simulator or by tests): the detectors are replayed over a past range — hourly bands rebuilt
 * from a forecast version with one-hour-ahead predictions, register patterns from receipts —
 * and their flags matched to labels by store, register (when the label names one) and time.
 * "Training" the anomaly model picks thresholds by F1 on this replay and registers them.
 */
import type { Sql } from "../lib/db.ts";
import { HOUR_MS, loadSpecialDays } from "./calendar.ts";
import { loadHourly } from "./series.ts";
import { featureContext, WEEK } from "./forecast_features.ts";
import { predict, type Target } from "./forecast_model.ts";
import { loadForecastModel } from "./forecast.ts";
import { type BandFlag, normalisedResidual, scoreBand } from "./anomaly_band.ts";
import { findRegisterPatterns, registerBaseline, type RegisterFlag } from "./anomaly_register.ts";
import { type AnomalyThresholds, DEFAULT_THRESHOLDS } from "./anomaly_score.ts";
import { findPriceAnomalies, type PriceFlag, usualPrices } from "./anomaly_price.ts";
import { actor, registerVersion } from "./registry.ts";

/** A labelled anomaly. */
export interface Label {
  kind: string;
  store: string;
  register: string | null;
  from: number;
  to: number;
}

/** Precision and recall of a replay. */
export interface AnomalyEvaluation {
  flags: number;
  truePositiveFlags: number;
  labels: number;
  foundLabels: number;
  precision: number;
  recall: number;
  f1: number;
  byKind: Record<string, { labels: number; found: number }>;
}

/** Loads labels overlapping [from, to). */
export async function loadLabels(sql: Sql, from: number, to: number): Promise<Label[]> {
  const rows = await sql`select kind, store_id, register_id, starts_at, ends_at from anomaly_labels
    where ends_at > ${new Date(from)} and starts_at < ${new Date(to)}`;
  return rows.map((r) => ({
    kind: r.kind,
    store: r.store_id,
    register: r.register_id,
    from: new Date(r.starts_at).getTime(),
    to: new Date(r.ends_at).getTime(),
  }));
}

type AnyFlag = { store: string; register?: string; windowStart: number; windowEnd: number };

function matches(f: AnyFlag, l: Label): boolean {
  if (f.store !== l.store) return false;
  if (l.register && f.register && f.register !== l.register) return false;
  return f.windowStart < l.to && f.windowEnd > l.from;
}

/** Matches flags to labels. */
export function score(flags: AnyFlag[], labels: Label[]): AnomalyEvaluation {
  const store = flags.filter((f) => f.store !== "*"); // chain-wide flags are not attributable
  const tp = store.filter((f) => labels.some((l) => matches(f, l))).length;
  const byKind: AnomalyEvaluation["byKind"] = {};
  let found = 0;
  for (const l of labels) {
    const hit = store.some((f) => matches(f, l));
    const k = (byKind[l.kind] ??= { labels: 0, found: 0 });
    k.labels++;
    if (hit) {
      k.found++;
      found++;
    }
  }
  const precision = store.length ? tp / store.length : NaN;
  const recall = labels.length ? found / labels.length : NaN;
  return {
    flags: store.length,
    truePositiveFlags: tp,
    labels: labels.length,
    foundLabels: found,
    precision,
    recall,
    f1: precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0,
    byKind,
  };
}

/** Replays the hourly band detector over [from, to) using one-hour-ahead forecasts. */
export async function replayBand(
  sql: Sql,
  from: number,
  to: number,
  th: AnomalyThresholds,
  forecastVersion?: number,
): Promise<BandFlag[]> {
  const model = await loadForecastModel(sql, forecastVersion);
  try {
    const start = Math.floor(from / HOUR_MS) * HOUR_MS;
    const set = await loadHourly(sql, start - 5 * WEEK * HOUR_MS, to);
    const ctx = featureContext(set, model.vocab, await loadSpecialDays(sql));
    const first = Math.max(WEEK, (start - set.start) / HOUR_MS - 7 * 24);
    const targets: Target[] = [];
    for (let s = 0; s < set.series.length; s++) {
      for (let t = first; t < set.length; t++) targets.push({ s, t, h: 1 });
    }
    const p = predict(model, ctx, targets);
    const flags: BandFlag[] = [];
    const hist = new Map<number, number[]>();
    targets.forEach(({ s, t }, i) => {
      const h = hist.get(s) ?? [];
      hist.set(s, h);
      const actual = set.series[s].values[t];
      const windowStart = set.start + t * HOUR_MS;
      if (windowStart >= start) {
        const f = scoreBand({
          store: set.series[s].store,
          category: set.series[s].category,
          windowStart,
          actual,
          p10: p.p10[i],
          p50: p.p50[i],
          p90: p.p90[i],
          history: h.slice(-168),
        }, th);
        if (f) flags.push(f);
      }
      if (p.open[i] || actual > 0) {
        h.push(normalisedResidual(actual, p.p10[i], p.p50[i], p.p90[i]));
      }
    });
    return flags;
  } finally {
    model.net.dispose();
  }
}

/** Replays both detectors over [from, to) and scores them against the labels. */
export async function evaluateAnomaly(
  sql: Sql,
  opts: { from: number; to: number; thresholds?: AnomalyThresholds; forecastVersion?: number },
): Promise<
  AnomalyEvaluation & { band: BandFlag[]; register: RegisterFlag[]; price: PriceFlag[] }
> {
  const th = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const band = await replayBand(sql, opts.from, opts.to, th, opts.forecastVersion);
  const base = await registerBaseline(sql, opts.to, th);
  const register = await findRegisterPatterns(sql, opts.from, opts.to, base, th);
  const price = await findPriceAnomalies(sql, opts.from, opts.to, await usualPrices(sql, opts.to));
  const labels = await loadLabels(sql, opts.from, opts.to);
  return { ...score([...band, ...register, ...price], labels), band, register, price };
}

/** The naive rule the detectors must beat: anything outside the band, any 3 refunds. */
export const BASELINE_THRESHOLDS: AnomalyThresholds = {
  bandZ: 0,
  burstLog10P: 0,
  burstMin: 3,
  receiptZ: 3,
  heavyDiscount: DEFAULT_THRESHOLDS.heavyDiscount,
};

/** Picks thresholds by F1 over the last `days` days of labels and registers them. */
export async function trainAnomaly(
  sql: Sql,
  opts: { from?: Date; to?: Date; days?: number; now?: number; trainedBy?: string } = {},
) {
  const to = opts.to?.getTime() ?? Math.floor((opts.now ?? Date.now()) / HOUR_MS) * HOUR_MS;
  const from = opts.from?.getTime() ?? to - (opts.days ?? 14) * 24 * HOUR_MS;
  let best: { th: AnomalyThresholds; ev: AnomalyEvaluation } | null = null;
  for (const bandZ of [4.5, 6, 8]) {
    for (const receiptZ of [5, 6, 8]) {
      const th = { ...DEFAULT_THRESHOLDS, bandZ, receiptZ };
      const ev = await evaluateAnomaly(sql, { from, to, thresholds: th });
      if (!best || ev.f1 > best.ev.f1) best = { th, ev };
    }
  }
  const baseline = await evaluateAnomaly(sql, { from, to, thresholds: BASELINE_THRESHOLDS });
  const strip = (e: AnomalyEvaluation) => {
    const { flags, truePositiveFlags, labels, foundLabels, precision, recall, f1, byKind } = e;
    return { flags, truePositiveFlags, labels, foundLabels, precision, recall, f1, byKind };
  };
  const metrics = {
    score: { name: "f1", value: best!.ev.f1, better: "higher" as const },
    baseline: { name: "outside_band_or_3_refunds", value: baseline.f1 },
    evaluation: strip(best!.ev),
    baselineEvaluation: strip(baseline),
  };
  const version = await registerVersion(sql, {
    name: "anomaly",
    params: { thresholds: best!.th },
    dataFrom: new Date(from),
    dataTo: new Date(to),
    metrics,
    trainedBy: opts.trainedBy ?? actor(),
  });
  return { version, metrics, thresholds: best!.th };
}
