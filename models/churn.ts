/**
 * Churn: probability that a customer makes no purchase in the next N days (default 90), from a
 * small tfjs classifier (16 relu units, L2-penalised) on churn_features.ts — including the BG/NBD
 * chance of no purchase in N days, fitted on the training customers — with plain-words reasons
 * (the features whose replacement by the population average lowers the probability most) and the
 * RFM segment. Training labels come from the data itself: features at cutoff T0 = end - N, label
 * = no purchase in (T0, end]. Baseline: recency alone.
 */
import type { Sql } from "../lib/db.ts";
import { DAY_MS } from "./calendar.ts";
import { initTf, rng, shuffledIndex, tf } from "./tf.ts";
import {
  CHURN_FEATURES,
  type ChurnFeature,
  type Facts,
  featuresAt,
  type History,
  loadHistories,
  type QuietModel,
  reasonText,
  rfmAt,
  rfmSegments,
  RISKY_WHEN_HIGH,
} from "./churn_features.ts";
import { type BgNbdParams, fitBgNbd } from "./churn_bgnbd.ts";
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
/** L2 penalty on the hidden layer's weights. */
const L2 = 1e-3;
/** Versions trained before quiet_chance (a 16-unit net on these 8) are still scored. */
const LEGACY_FEATURES = CHURN_FEATURES.slice(0, 8);

/** Standardisation of the feature vector, learnt on the training customers. */
interface Scaler {
  mean: number[];
  std: number[];
}

/** What a churn version stores beside its weights (a type, so it fits pgHandler's record). */
type ChurnExtra = {
  scaler: Scaler;
  horizonDays: number;
  /** BG/NBD population fitted on the training customers (absent before quiet_chance). */
  bgnbd?: BgNbdParams;
};

function standardise(xs: number[][], s: Scaler): Float32Array {
  const f = s.mean.length;
  const out = new Float32Array(xs.length * f);
  xs.forEach((x, i) => x.forEach((v, j) => (out[i * f + j] = (v - s.mean[j]) / s.std[j])));
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
  const f = x.length / n;
  return tf.tidy(() =>
    (net.predict(tf.tensor2d(x, [n, f]), { batchSize: 4096 }) as tf.Tensor)
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
export function labelledExamples(
  histories: History[],
  t0: number,
  horizonMs: number,
  quiet: QuietModel,
) {
  const xs: number[][] = [], ys: number[] = [], recency: number[] = [];
  for (const h of histories) {
    const f = featuresAt(h, t0, quiet);
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
  // Customers with a purchase before T0, split 80/20 in a seeded order.
  const known = histories.filter((h) => h.times[0] < t0);
  if (known.length < 50) {
    throw new Error(
      `only ${known.length} customers bought before the ${horizon}-day label window; churn needs at least 50 (more history, or a shorter horizon, e.g. --horizon 30)`,
    );
  }
  const seed = opts.seed ?? 42;
  const order = shuffledIndex(known.length, rng(seed));
  const nTest = Math.max(20, Math.floor(known.length * 0.2));
  const testHs = Array.from(order.subarray(0, nTest), (i) => known[i]),
    trainHs = Array.from(order.subarray(nTest), (i) => known[i]);
  // The BG/NBD population comes from the training customers only, like the scaler.
  const bgnbd = fitBgNbd(trainHs.map((h) => rfmAt(h, t0)!));
  const quiet = { params: bgnbd, horizonDays: horizon };
  const train = labelledExamples(trainHs, t0, horizon * DAY_MS, quiet);
  const test = labelledExamples(testHs, t0, horizon * DAY_MS, quiet);
  const scaler = fitScaler(train.xs);
  const xTrain = standardise(train.xs, scaler);
  const yTrain = Float32Array.from(train.ys);

  const net = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [F],
        units: 16,
        activation: "relu",
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
        // Keeps the net close to linear where the labels are mostly noise (short horizons)
        // while leaving it the bends that long histories reward; see docs/models.md.
        kernelRegularizer: tf.regularizers.l2({ l2: L2 }),
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
  const xt = tf.tensor2d(xTrain, [train.ys.length, F]),
    yt = tf.tensor2d(yTrain, [train.ys.length, 1]);
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
  const probs = predictProbs(net, standardise(test.xs, scaler), test.ys.length);
  const yTest = test.ys;
  const recTest = test.recency;
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
    customers: { train: train.ys.length, test: test.ys.length },
  };
  const params = {
    horizonDays: horizon,
    requestedHorizonDays: asked,
    model: `dense ${F} → 16 relu (L2 ${L2}) → sigmoid`,
    features: [...CHURN_FEATURES],
    bgnbd: { r: round(bgnbd.r), alpha: round(bgnbd.alpha), a: round(bgnbd.a), b: round(bgnbd.b) },
    epochs,
    seed,
    backend,
  };
  const version = await registerVersion(sql, {
    name: "churn",
    params,
    dataFrom: new Date(first),
    dataTo: new Date(end),
    metrics,
    trainedBy: opts.trainedBy ?? actor(),
  });
  const extra: ChurnExtra = { scaler, horizonDays: horizon, bgnbd };
  await net.save(pgHandler(sql, "churn", version, extra));
  net.dispose();
  const heldOut = testHs.map((h) => h.customer);
  return { version, metrics, params, heldOut, ms: Math.round(performance.now() - started) };
}

const logit = (p: number) => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

/**
 * Reasons: features whose replacement by the average lowers the log-odds by >= 0.1 (about 0.025
 * in probability near 0.5; in log-odds because a near-certain score barely moves in probability
 * when its evidence is redundant — recency, overdue and quiet_chance often agree), where
 * the customer is on the side of the average that the reason's words describe (correlated
 * features can take a weight of the "wrong" sign; "only 40 orders so far" would then be false).
 * `x` is standardised, so 0 is the average.
 */
export function churnReasons(
  net: tf.LayersModel,
  names: readonly ChurnFeature[],
  x: Float32Array,
  n: number,
  base: Float32Array,
  facts: Facts[],
) {
  const f = names.length;
  const drops = Array.from({ length: n }, () => [] as { f: string; d: number }[]);
  for (let j = 0; j < f; j++) {
    const y = x.slice();
    for (let i = 0; i < n; i++) y[i * f + j] = 0; // standardised mean
    const p = predictProbs(net, y, n);
    const side = RISKY_WHEN_HIGH[names[j]] ? 1 : -1;
    for (let i = 0; i < n; i++) {
      if (x[i * f + j] * side > 0) {
        drops[i].push({ f: names[j], d: logit(base[i]) - logit(p[i]) });
      }
    }
  }
  return drops.map((d, i) =>
    d.filter((x) => x.d >= 0.1).sort((a, b) => b.d - a.d).slice(0, 3).map((x) =>
      reasonText(x.f, facts[i])
    )
  );
}

/** Scores every customer with the active churn version and replaces churn_scores (and the segment sizes in churn_segments). */
export async function runChurn(
  sql: Sql,
  now: number,
): Promise<{ rows: number; model: string | null }> {
  const active = await activeVersion(sql, "churn");
  if (!active) return { rows: 0, model: null };
  await initTf();
  const extra = await loadExtra<ChurnExtra>(sql, "churn", active.version);
  if (!extra) throw new RegistryError(`churn version ${active.version} has no stored artifact`);
  const net = await loadNetwork(sql, "churn", active.version);
  try {
    const quiet = extra.bgnbd ? { params: extra.bgnbd, horizonDays: extra.horizonDays } : undefined;
    const names = quiet ? CHURN_FEATURES : LEGACY_FEATURES;
    // Every loaded history has a purchase before `now`, so each has features (same order as hs).
    const hs = await loadHistories(sql, now);
    const feats = hs.map((h) => featuresAt(h, now, quiet)!);
    const x = standardise(feats.map((f) => f.x), extra.scaler);
    const p = predictProbs(net, x, feats.length);
    const facts = feats.map((f) => f.facts);
    const why = churnReasons(net, names, x, feats.length, p, facts);
    const seg = rfmSegments(facts);
    const model = `churn@${active.version}`;
    await sql.begin(async (tx) => {
      await tx`delete from churn_scores`;
      for (let i = 0; i < hs.length; i += 5000) {
        const idx = Array.from({ length: Math.min(5000, hs.length - i) }, (_, k) => i + k);
        // With the customer's net revenue now: the customers page ranks equal scores by it.
        await tx`insert into churn_scores (customer_id, probability, segment, reasons, model,
            revenue_cents)
          select c, p, s, coalesce(string_to_array(nullif(r, ''), '|'), '{}'), ${model},
            st.revenue_cents
          from unnest(${idx.map((k) => hs[k].customer)}::text[],
            ${idx.map((k) => Math.min(1, Math.max(0, p[k])))}::float8[],
            ${idx.map((k) => seg[k])}::text[], ${idx.map((k) => why[k].join("|"))}::text[])
            as u(c, p, s, r)
          left join customer_stats st on st.customer_id = u.c`;
      }
      // The customers page reads segment sizes from here, not by counting every score.
      await tx`delete from churn_segments`;
      await tx`insert into churn_segments (segment, customers, avg_probability)
        select segment, count(*), avg(probability) from churn_scores group by segment`;
    });
    return { rows: hs.length, model };
  } finally {
    net.dispose();
  }
}
