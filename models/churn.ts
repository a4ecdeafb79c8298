/**
 * Churn: probability that a customer makes no purchase in the next N days (default 90), from a
 * small tfjs classifier on churn_features.ts, with plain-words reasons (the features whose
 * replacement by the population average lowers the probability most) and the RFM segment.
 * Training labels come from the data itself: features at cutoff T0 = end - N, label = no
 * purchase in (T0, end]. Baseline: recency alone.
 */
import type { Sql } from "../lib/db.ts";
import { DAY_MS } from "./calendar.ts";
import { initTf, rng, shuffledIndex, tf } from "./tf.ts";
import {
  CHURN_FEATURES,
  type Facts,
  featuresAt,
  type History,
  loadHistories,
  reasonText,
  rfmSegments,
} from "./churn_features.ts";
import { brier, calibration, prAuc, rocAuc, round } from "./metrics.ts";
import {
  activeVersion,
  actor,
  loadExtra,
  loadNetwork,
  pgHandler,
  registerVersion,
  RegistryError,
} from "./registry.ts";
import { noProgress, type ProgressFn } from "./progress.ts";

const F = CHURN_FEATURES.length;

/** Standardisation of the feature vector, learnt on the training customers. */
interface Scaler {
  mean: number[];
  std: number[];
}

function standardise(xs: number[][], s: Scaler): Float32Array {
  const out = new Float32Array(xs.length * F);
  xs.forEach((x, i) => x.forEach((v, j) => (out[i * F + j] = (v - s.mean[j]) / s.std[j])));
  return out;
}

function fitScaler(xs: number[][]): Scaler {
  const mean = CHURN_FEATURES.map((_, j) => xs.reduce((a, x) => a + x[j], 0) / xs.length);
  const std = CHURN_FEATURES.map((_, j) =>
    Math.sqrt(xs.reduce((a, x) => a + (x[j] - mean[j]) ** 2, 0) / xs.length) || 1
  );
  return { mean, std };
}

function predictProbs(net: tf.LayersModel, x: Float32Array, n: number): Float32Array {
  if (!n) return new Float32Array(0);
  return tf.tidy(() =>
    (net.predict(tf.tensor2d(x, [n, F]), { batchSize: 4096 }) as tf.Tensor)
      .dataSync() as Float32Array
  );
}

/** Options of {@link trainChurn}. */
export interface ChurnTrainOptions {
  horizonDays?: number;
  epochs?: number;
  seed?: number;
  now?: number;
  to?: Date;
  trainedBy?: string;
  onProgress?: ProgressFn;
}

/** Builds labelled examples at cutoff `t0` with labels from (t0, t0 + horizon]. */
export function labelledExamples(histories: History[], t0: number, horizonMs: number) {
  const xs: number[][] = [], ys: number[] = [], recency: number[] = [];
  for (const h of histories) {
    const f = featuresAt(h, t0);
    if (!f) continue;
    const bought = h.times.some((t) => t >= t0 && t < t0 + horizonMs);
    xs.push(f.x);
    ys.push(bought ? 0 : 1);
    recency.push(f.facts.recencyDays);
  }
  return { xs, ys, recency };
}

/** Trains, evaluates on held-out customers and registers a churn version. */
export async function trainChurn(sql: Sql, opts: ChurnTrainOptions = {}) {
  const onProgress = opts.onProgress ?? noProgress;
  const started = performance.now();
  const backend = await initTf();
  const end = opts.to?.getTime() ?? opts.now ?? Date.now();
  const histories = await loadHistories(sql, end);
  if (histories.length < 50) {
    throw new Error(
      `only ${histories.length} customers with purchases; churn needs at least 50 (receipts with customer_id)`,
    );
  }
  const first = Math.min(...histories.map((h) => h.times[0]));
  const spanDays = (end - first) / DAY_MS;
  const asked = opts.horizonDays ?? 90;
  // With less history than the horizon needs, shrink it (recorded in params) rather than fail.
  const horizon = Math.min(asked, Math.max(7, Math.floor(spanDays / 2)));
  const t0 = end - horizon * DAY_MS;
  const { xs, ys, recency } = labelledExamples(histories, t0, horizon * DAY_MS);
  const random = rng(opts.seed ?? 42);
  const order = shuffledIndex(xs.length, random);
  const nTest = Math.max(20, Math.floor(xs.length * 0.2));
  const testIdx = Array.from(order.subarray(0, nTest)),
    trainIdx = Array.from(order.subarray(nTest));
  const scaler = fitScaler(trainIdx.map((i) => xs[i]));
  const xTrain = standardise(trainIdx.map((i) => xs[i]), scaler);
  const yTrain = Float32Array.from(trainIdx, (i) => ys[i]);

  const seed = opts.seed ?? 42;
  const net = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [F],
        units: 16,
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.dense({
        units: 1,
        activation: "sigmoid",
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
  net.compile({ optimizer: tf.train.adam(0.01), loss: "binaryCrossentropy" });
  const epochs = opts.epochs ?? 30;
  const xt = tf.tensor2d(xTrain, [trainIdx.length, F]),
    yt = tf.tensor2d(yTrain, [trainIdx.length, 1]);
  await net.fit(xt, yt, {
    epochs,
    batchSize: 256,
    // Rows are already in a seeded random order; tfjs would reshuffle with Math.random.
    shuffle: false,
    verbose: 0,
    callbacks: {
      onEpochEnd: (epoch, logs) =>
        onProgress({
          model: "churn",
          phase: "train",
          epoch: epoch + 1,
          epochs,
          loss: logs?.loss,
          elapsedMs: performance.now() - started,
        }),
    },
  });
  tf.dispose([xt, yt]);
  const probs = predictProbs(net, standardise(testIdx.map((i) => xs[i]), scaler), testIdx.length);
  const yTest = testIdx.map((i) => ys[i]);
  const recTest = testIdx.map((i) => recency[i]);
  const auc = rocAuc(yTest, probs);
  const metrics = {
    score: { name: "roc_auc", value: round(auc), better: "higher" as const },
    baseline: { name: "recency_only", value: round(rocAuc(yTest, recTest)) },
    prAuc: round(prAuc(yTest, probs)),
    baselinePrAuc: round(prAuc(yTest, recTest)),
    brier: round(brier(yTest, probs)),
    churnRate: round(yTest.reduce((a, b) => a + b, 0) / yTest.length),
    calibration: calibration(yTest, probs).map((b) => ({
      ...b,
      predicted: round(b.predicted),
      observed: round(b.observed),
    })),
    customers: { train: trainIdx.length, test: testIdx.length },
  };
  const params = { horizonDays: horizon, requestedHorizonDays: asked, epochs, seed, backend };
  const version = await registerVersion(sql, {
    name: "churn",
    params,
    dataFrom: new Date(first),
    dataTo: new Date(end),
    metrics,
    trainedBy: opts.trainedBy ?? actor(),
  });
  await net.save(pgHandler(sql, "churn", version, { scaler, horizonDays: horizon }));
  net.dispose();
  return { version, metrics, params, ms: Math.round(performance.now() - started) };
}

/** Reasons: features whose replacement by the average lowers the probability by >= 0.02. */
function reasons(
  net: tf.LayersModel,
  x: Float32Array,
  n: number,
  base: Float32Array,
  facts: Facts[],
) {
  const drops = Array.from({ length: n }, () => [] as { f: string; d: number }[]);
  for (let j = 0; j < F; j++) {
    const y = x.slice();
    for (let i = 0; i < n; i++) y[i * F + j] = 0; // standardised mean
    const p = predictProbs(net, y, n);
    for (let i = 0; i < n; i++) drops[i].push({ f: CHURN_FEATURES[j], d: base[i] - p[i] });
  }
  return drops.map((d, i) =>
    d.filter((x) => x.d >= 0.02).sort((a, b) => b.d - a.d).slice(0, 3).map((x) =>
      reasonText(x.f, facts[i])
    )
  );
}

/** Scores every customer with the active churn version and replaces churn_scores. */
export async function runChurn(
  sql: Sql,
  now: number,
): Promise<{ rows: number; model: string | null }> {
  const active = await activeVersion(sql, "churn");
  if (!active) return { rows: 0, model: null };
  await initTf();
  const extra = await loadExtra<{ scaler: Scaler }>(sql, "churn", active.version);
  if (!extra) throw new RegistryError(`churn version ${active.version} has no stored artifact`);
  const net = await loadNetwork(sql, "churn", active.version);
  try {
    const hs = await loadHistories(sql, now);
    const feats = hs.map((h) => featuresAt(h, now)!).filter(Boolean);
    const x = standardise(feats.map((f) => f.x), extra.scaler);
    const p = predictProbs(net, x, feats.length);
    const facts = feats.map((f) => f.facts);
    const why = reasons(net, x, feats.length, p, facts);
    const seg = rfmSegments(facts);
    const model = `churn@${active.version}`;
    await sql.begin(async (tx) => {
      await tx`delete from churn_scores`;
      for (let i = 0; i < hs.length; i += 5000) {
        const idx = Array.from({ length: Math.min(5000, hs.length - i) }, (_, k) => i + k);
        await tx`insert into churn_scores (customer_id, probability, segment, reasons, model)
          select c, p, s, coalesce(string_to_array(nullif(r, ''), '|'), '{}'), ${model}
          from unnest(${idx.map((k) => hs[k].customer)}::text[],
            ${idx.map((k) => Math.min(1, Math.max(0, p[k])))}::float8[],
            ${idx.map((k) => seg[k])}::text[], ${idx.map((k) => why[k].join("|"))}::text[])
            as u(c, p, s, r)`;
      }
    });
    return { rows: hs.length, model };
  } finally {
    net.dispose();
  }
}
