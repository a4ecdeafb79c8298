/**
 * Training and evaluation of the hourly forecast. The history is split in time: the network
 * learns on the oldest part, a conformal factor is measured on the next few days, and the last
 * (up to) 14 days are the rolling-origin backtest whose metrics go to the registry.
 */
import type { Sql } from "../lib/db.ts";
import { HOUR_MS, loadSpecialDays, type SpecialDays } from "./calendar.ts";
import { hourlyRange, loadHourly, type SeriesSet } from "./series.ts";
import {
  featureContext,
  fillRow,
  MAX_H,
  NUM_FEATURES,
  type Vocab,
  vocabOf,
  WEEK,
} from "./forecast_features.ts";
import { buildForecastNet, fitForecastNet, type Rows } from "./forecast_net.ts";
import {
  chainFactor,
  conformalFactors,
  type ForecastModel,
  type Target,
} from "./forecast_model.ts";
import { backtest, type BacktestResult } from "./backtest.ts";
import { dailyCalibration } from "./forecast_daily.ts";
import { loadDaily } from "./series.ts";
import { initTf, rng, shuffledIndex } from "./tf.ts";
import {
  activeVersion,
  actor,
  loadExtra,
  loadNetwork,
  pgHandler,
  registerVersion,
  RegistryError,
  type VersionMetrics,
} from "./registry.ts";
import { noProgress, type ProgressFn } from "./progress.ts";

/** Fewest days of hourly history a forecast can be trained on. */
export const MIN_FORECAST_DAYS = 10;

/** Options of {@link trainForecast}. */
export interface ForecastTrainOptions {
  from?: Date;
  to?: Date;
  epochs?: number;
  seed?: number;
  /** Cap on training rows (a seeded sample), which bounds training time. */
  maxRows?: number;
  backtestDays?: number;
  trainedBy?: string;
  now?: number;
  onProgress?: ProgressFn;
}

/** What training produced. */
export interface ForecastTrainResult {
  version: number;
  metrics: VersionMetrics & { backtest: BacktestResult };
  backend: string;
  timings: Record<string, number>;
}

/** Splits `days` of history into train / calibration / backtest days. */
export function splitDays(days: number, backtestDays = 14) {
  const bt = Math.max(1, Math.min(backtestDays, Math.floor(days * 0.25)));
  const cal = Math.max(1, Math.min(7, Math.floor(days * 0.1)));
  return { backtest: bt, calibration: cal, train: days - bt - cal };
}

function trainingRows(
  ctx: ReturnType<typeof featureContext>,
  end: number,
  maxRows: number,
  random: () => number,
): Rows {
  const S = ctx.set.series.length, span = Math.max(0, end - WEEK);
  const order = shuffledIndex(S * span, random);
  // Short histories are seen up to 4 times, each time from another horizon.
  const cap = Math.min(maxRows, 4 * order.length);
  const rows: Rows = {
    n: 0,
    x: new Float32Array(cap * NUM_FEATURES),
    store: new Float32Array(cap),
    cat: new Float32Array(cap),
    y: new Float32Array(cap),
  };
  for (let pass = 0; pass < 4 && rows.n < cap; pass++) {
    for (let k = 0; k < order.length && rows.n < cap; k++) {
      const s = Math.floor(order[k] / span), t = WEEK + (order[k] % span);
      const h = 1 + Math.floor(random() * MAX_H);
      const scale = fillRow(ctx, s, t, h, rows.x, rows.n * NUM_FEATURES);
      if (!(scale > 0)) continue;
      rows.store[rows.n] = ctx.storeIdx[s];
      rows.cat[rows.n] = ctx.catIdx[s];
      rows.y[rows.n] = ctx.set.series[s].values[t] / scale;
      rows.n++;
    }
  }
  return rows;
}

/** Held-out targets; one random horizon per hour shared by all series (so the chain sums). */
function heldOutTargets(S: number, from: number, to: number, random: () => number): Target[] {
  const out: Target[] = [];
  for (let t = from; t < to; t++) {
    const h = 1 + Math.floor(random() * MAX_H);
    for (let s = 0; s < S; s++) out.push({ s, t, h });
  }
  return out;
}

/**
 * Targets for the chain's calibration: every held-out hour at every 4th horizon, for the stores
 * and the chain only. A chain has one value per hour, so one horizon per hour (as for the other
 * levels) leaves ~30 open hours in a 2-day window, too few for a stable 80 % quantile.
 */
function chainTargets(set: SeriesSet, from: number, to: number): Target[] {
  const out: Target[] = [];
  const idx = set.series.flatMap((sr, s) => sr.category === "*" ? [s] : []);
  for (let t = from; t < to; t++) {
    for (let h = 1 + (t % 4); h <= MAX_H; h += 4) for (const s of idx) out.push({ s, t, h });
  }
  return out;
}

/** Loads hourly history for training: [from, to) clipped to what the rollups hold. */
export async function loadTrainingHistory(
  sql: Sql,
  opts: { from?: Date; to?: Date; now?: number },
): Promise<SeriesSet> {
  const range = await hourlyRange(sql);
  if (!range) {
    throw new Error(
      "no hourly sales in rollup_hour yet; start the pipeline (deno task start) or import history, then train again",
    );
  }
  const closed = Math.floor((opts.now ?? Date.now()) / HOUR_MS) * HOUR_MS;
  const to = Math.min(opts.to?.getTime() ?? Infinity, range.to, closed);
  const from = Math.max(opts.from?.getTime() ?? -Infinity, range.from);
  const set = await loadHourly(sql, from, to);
  const days = set.length / 24;
  if (days < MIN_FORECAST_DAYS) {
    throw new Error(
      `not enough history to train the forecast: ${
        days.toFixed(1)
      } days of hourly sales, need at least ${MIN_FORECAST_DAYS} (e.g. --from 2026-01-01 covering more days)`,
    );
  }
  return set;
}

/** Trains, calibrates, backtests and registers a forecast version (as a candidate). */
export async function trainForecast(
  sql: Sql,
  opts: ForecastTrainOptions = {},
): Promise<ForecastTrainResult> {
  const onProgress = opts.onProgress ?? noProgress;
  const t0 = performance.now();
  const backend = await initTf();
  const seed = opts.seed ?? 42;
  const epochs = opts.epochs ?? 6;
  const maxRows = opts.maxRows ?? 150_000;
  const set = await loadTrainingHistory(sql, opts);
  const special = await loadSpecialDays(sql);
  const tLoad = performance.now();
  onProgress({ model: "forecast", phase: "features", elapsedMs: tLoad - t0 });

  const split = splitDays(Math.floor(set.length / 24), opts.backtestDays);
  const btStart = set.length - split.backtest * 24;
  const calStart = btStart - split.calibration * 24;
  const vocab = vocabOf(set);
  const ctx = featureContext(set, vocab, special);
  const random = rng(seed);
  const rows = trainingRows(ctx, calStart, maxRows, random);
  if (rows.n < 100) {
    throw new Error(
      `only ${rows.n} usable training hours (stores closed or no sales); import more history`,
    );
  }
  const tFeat = performance.now();
  const net = buildForecastNet(vocab.stores.length, vocab.categories.length, seed);
  const loss = await fitForecastNet(net, rows, { epochs, onProgress });
  const tFit = performance.now();
  onProgress({ model: "forecast", phase: "backtest", elapsedMs: tFit - t0 });
  const heldOut = heldOutTargets(set.series.length, calStart, btStart, random);
  const qhat = conformalFactors(net, ctx, heldOut);
  const model: ForecastModel = { net, vocab, qhat };
  const chain = chainFactor(model, ctx, chainTargets(set, calStart, btStart));
  qhat.chain_sum = chain.widen;
  qhat.chain_bias = chain.bias;
  const bt = backtest(model, ctx, btStart);
  const tBt = performance.now();

  const params = {
    epochs,
    seed,
    maxRows,
    rows: rows.n,
    series: set.series.length,
    split,
    qhat,
    finalLoss: loss,
    backend,
    design: "global MLP, store+category embeddings, pinball loss, conformal 80% band",
  };
  // The daily method's own backtest (last 14 days vs same weekday last week), for the record.
  const endDay = new Date(set.start + set.length * HOUR_MS).toISOString().slice(0, 10);
  const daySet = await loadDaily(
    sql,
    new Date(set.start + set.length * HOUR_MS - 70 * 86_400_000).toISOString().slice(0, 10),
    endDay,
  );
  const daily = daySet.length >= 42 ? dailyCalibration(daySet) : null;
  const metrics = {
    score: { name: "mase", value: bt.overall.mase, better: "lower" as const },
    baseline: { name: "seasonal_naive", value: bt.overall.baselineMase },
    backtest: bt,
    daily: daily && { mase: daily.mase, baselineMase: daily.baselineMase, intervals: daily.q },
  };
  const version = await registerVersion(sql, {
    name: "forecast",
    params,
    dataFrom: new Date(set.start),
    dataTo: new Date(set.start + set.length * HOUR_MS),
    metrics,
    trainedBy: opts.trainedBy ?? actor(),
  });
  await net.save(pgHandler(sql, "forecast", version, { vocab, qhat, split }));
  net.dispose();
  const tSave = performance.now();
  return {
    version,
    metrics,
    backend,
    timings: {
      loadMs: Math.round(tLoad - t0),
      featuresMs: Math.round(tFeat - tLoad),
      fitMs: Math.round(tFit - tFeat),
      backtestMs: Math.round(tBt - tFit),
      saveMs: Math.round(tSave - tBt),
      totalMs: Math.round(tSave - t0),
    },
  };
}

/** Loads a forecast version (default: the active one) from the registry. */
export async function loadForecastModel(
  sql: Sql,
  version?: number,
): Promise<ForecastModel & { version: number }> {
  await initTf();
  const v = version ?? (await activeVersion(sql, "forecast"))?.version;
  if (!v) {
    throw new RegistryError(
      "no active forecast model; train and promote one: deno task models train forecast",
    );
  }
  const extra = await loadExtra<{ vocab: Vocab; qhat: number | Record<string, number> }>(
    sql,
    "forecast",
    v,
  );
  if (!extra) throw new RegistryError(`forecast version ${v} has no stored artifact`);
  const net = await loadNetwork(sql, "forecast", v);
  const qhat = typeof extra.qhat === "number" ? { all: extra.qhat } : extra.qhat;
  return { net, vocab: extra.vocab, qhat, version: v };
}

/** Re-runs the backtest of a stored version on the latest `days` days of current data. */
export async function evaluateForecast(
  sql: Sql,
  opts: {
    version?: number;
    backtestDays?: number;
    now?: number;
    to?: Date;
    special?: SpecialDays;
  } = {},
): Promise<BacktestResult & { version: number }> {
  const model = await loadForecastModel(sql, opts.version);
  try {
    const set = await loadTrainingHistory(sql, { now: opts.now, to: opts.to });
    const split = splitDays(Math.floor(set.length / 24), opts.backtestDays);
    const ctx = featureContext(set, model.vocab, opts.special ?? await loadSpecialDays(sql));
    return { ...backtest(model, ctx, set.length - split.backtest * 24), version: model.version };
  } finally {
    model.net.dispose();
  }
}
