/**
 * The global quantile network: numeric features plus store and category embeddings, two dense
 * layers, three outputs (p10, p50, p90 of the scaled target) trained with the pinball loss.
 */
import { initTf, tf } from "./tf.ts";
import { NUM_FEATURES } from "./forecast_features.ts";
import type { ProgressFn } from "./progress.ts";

/** The quantiles the network predicts. */
export const QUANTILES = [0.1, 0.5, 0.9] as const;

/**
 * Builds the network for vocabularies of `stores` and `categories` (index 0 = unknown). The
 * embeddings are one-hot inputs through a bias-free linear layer, which is the same function as
 * an embedding lookup: tfjs-backend-wasm lacks the UnsortedSegmentSum kernel that the Embedding
 * layer's gradient needs.
 */
export function buildForecastNet(stores: number, categories: number, seed: number): tf.LayersModel {
  const num = tf.input({ shape: [NUM_FEATURES], name: "features" });
  const store = tf.input({ shape: [stores + 1], name: "store" });
  const cat = tf.input({ shape: [categories + 1], name: "category" });
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  // Embeddings (as above) about log2 of their vocabulary wide, so that a handful of categories
  // gets a few units and a large chain of stores no more than `cap`.
  const embed = (input: tf.SymbolicTensor, n: number, cap: number, k: number, name: string) =>
    tf.layers.dense({
      units: Math.min(cap, 2 + Math.ceil(Math.log2(n + 2))),
      useBias: false,
      kernelInitializer: init(k),
      name,
    }).apply(input) as tf.SymbolicTensor;
  const se = embed(store, stores, 8, 0, "store_embedding");
  const ce = embed(cat, categories, 6, 1, "category_embedding");
  const x = tf.layers.concatenate().apply([num, se, ce]) as tf.SymbolicTensor;
  const h1 = tf.layers.dense({ units: 64, activation: "relu", kernelInitializer: init(2) })
    .apply(x) as tf.SymbolicTensor;
  const h2 = tf.layers.dense({ units: 32, activation: "relu", kernelInitializer: init(3) })
    .apply(h1) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, kernelInitializer: init(4), name: "quantiles" })
    .apply(h2) as tf.SymbolicTensor;
  return tf.model({ inputs: [num, store, cat], outputs: out });
}

function oneHot(net: tf.LayersModel, input: number, idx: Float32Array, n: number): tf.Tensor {
  const depth = net.inputs[input].shape[1] as number;
  return tf.tidy(() =>
    tf.oneHot(tf.tensor1d(Int32Array.from(idx.subarray(0, n)), "int32"), depth).toFloat()
  );
}

/** Mean pinball loss over the three quantiles; yTrue and yPred are [batch, 3]. */
export function pinballLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const q = tf.tensor1d([...QUANTILES]);
    const e = tf.sub(yTrue, yPred);
    return tf.mean(tf.maximum(tf.mul(q, e), tf.mul(tf.sub(q, 1), e))) as tf.Scalar;
  });
}

/** Training rows: `x` is n x NUM_FEATURES, `store`/`cat` embedding indices, `y` scaled targets. */
export interface Rows {
  n: number;
  x: Float32Array;
  store: Float32Array;
  cat: Float32Array;
  y: Float32Array;
}

/** Fits the network on `rows`; reports each epoch's loss. */
export async function fitForecastNet(
  net: tf.LayersModel,
  rows: Rows,
  opts: { epochs: number; batchSize?: number; learningRate?: number; onProgress?: ProgressFn },
): Promise<number> {
  await initTf();
  const started = performance.now();
  net.compile({ optimizer: tf.train.adam(opts.learningRate ?? 0.003), loss: pinballLoss });
  const xs = [
    tf.tensor2d(rows.x.subarray(0, rows.n * NUM_FEATURES), [rows.n, NUM_FEATURES]),
    oneHot(net, 1, rows.store, rows.n),
    oneHot(net, 2, rows.cat, rows.n),
  ];
  // tfjs wants targets shaped like the output: the same y for each of the three quantiles.
  const ys = tf.tidy(() => tf.tile(tf.tensor2d(rows.y.subarray(0, rows.n), [rows.n, 1]), [1, 3]));
  let last = NaN;
  // Small histories (a fresh install) get smaller batches and more epochs: at least ~600
  // gradient steps in all, which large histories reach within the requested epochs anyway.
  const batchSize = opts.batchSize ?? Math.max(32, Math.min(512, Math.floor(rows.n / 50)));
  const epochs = Math.max(
    opts.epochs,
    Math.min(60, Math.ceil(600 / Math.ceil(rows.n / batchSize))),
  );
  try {
    await net.fit(xs, ys, {
      epochs,
      batchSize,
      // Rows are already in a seeded random order; tfjs would reshuffle with Math.random.
      shuffle: false,
      verbose: 0,
      callbacks: {
        onEpochEnd: (epoch, logs) => {
          last = logs?.loss ?? NaN;
          opts.onProgress?.({
            model: "forecast",
            phase: "train",
            epoch: epoch + 1,
            epochs,
            loss: last,
            elapsedMs: performance.now() - started,
          });
        },
      },
    });
  } finally {
    tf.dispose([...xs, ys]);
  }
  return last;
}

/** Predicts scaled quantiles for `n` rows; returns n x 3 values, sorted within each row. */
export function predictForecastNet(
  net: tf.LayersModel,
  x: Float32Array,
  store: Float32Array,
  cat: Float32Array,
  n: number,
): Float32Array {
  if (n === 0) return new Float32Array(0);
  const out = tf.tidy(() => {
    const p = net.predict([
      tf.tensor2d(x.subarray(0, n * NUM_FEATURES), [n, NUM_FEATURES]),
      oneHot(net, 1, store, n),
      oneHot(net, 2, cat, n),
    ], { batchSize: 4096 }) as tf.Tensor;
    return p.dataSync() as Float32Array;
  });
  for (let i = 0; i < n; i++) {
    const a = out[3 * i], b = out[3 * i + 1], c = out[3 * i + 2];
    const lo = Math.min(a, b, c), hi = Math.max(a, b, c);
    out[3 * i] = lo;
    out[3 * i + 1] = a + b + c - lo - hi;
    out[3 * i + 2] = hi;
  }
  return out;
}
