/**
 * `deno task bench models [--stores 50] [--categories 8] [--days 90] [--epochs 6] [--customers 5000] [--json]`:
 * a full forecast retrain on synthetic hourly history (known seasonality) written into a
 * database of its own (dropped at the end), forecast inference for 48 h, the general detector's
 * throughput, and churn training — with the backtest metrics against the baselines.
 */
import { loadConfig } from "../lib/config.ts";
import { connect, dropDatabase, ensureDatabase, withDatabase } from "../lib/db.ts";
import { migrate } from "../lib/migrate.ts";
import { setLogLevel } from "../lib/log.ts";
import { numberFlag, parseCli, UsageError } from "../cli/args.ts";
import { insertSyntheticHistory } from "../models/testing/synthetic.ts";
import { insertSyntheticCustomers } from "../models/testing/synthetic_customers.ts";
import { trainForecast } from "../models/forecast.ts";
import { runForecast } from "../models/forecast_run.ts";
import { promote } from "../models/registry.ts";
import { trainChurn } from "../models/churn.ts";
import { detectSeries } from "../models/detector.ts";
import { rng } from "../models/tf.ts";

const OPTIONS = {
  stores: { type: "string" },
  categories: { type: "string" },
  days: { type: "string" },
  epochs: { type: "string" },
  customers: { type: "string" },
  json: { type: "boolean" },
} as const;

/** Runs the models benchmark; prints a summary or JSON. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const count = { integer: true, min: 1 };
  const stores = numberFlag("stores", values.stores, count) ?? 50;
  const categories = numberFlag("categories", values.categories, count) ?? 8;
  const days = numberFlag("days", values.days, count) ?? 90;
  const epochs = numberFlag("epochs", values.epochs, count);
  const customers = numberFlag("customers", values.customers, count) ?? 5000;
  setLogLevel("warn");
  const base = loadConfig();
  const name = `ts_bench_models_${Date.now().toString(36)}`;
  const url = withDatabase(base.DATABASE_URL, name);
  await ensureDatabase(url);
  const sql = connect(url, { max: 4 });
  const result: Record<string, unknown> = { stores, categories, days, epochs, customers };
  try {
    await migrate(sql);
    let t = performance.now();
    const hist = await insertSyntheticHistory(sql, { stores, categories, days });
    result.insert_ms = Math.round(performance.now() - t);
    result.hourly_rows = hist.rows;

    t = performance.now();
    const tr = await trainForecast(sql, { epochs, now: hist.to, seed: 1 });
    result.epochs = tr.metrics.backtest
      ? (await sql`select params from model_versions where name = 'forecast' and version = ${tr.version}`)[
        0
      ].params.epochs
      : epochs;
    result.forecast_train_ms = Math.round(performance.now() - t);
    result.forecast_timings = tr.timings;
    result.backend = tr.backend;
    result.forecast_series = tr.metrics.backtest.series.length;
    result.forecast_backtest = tr.metrics.backtest.overall;
    result.forecast_by_level = tr.metrics.backtest.byLevel;
    await promote(sql, "forecast", tr.version, { actor: "bench", force: true });

    t = performance.now();
    const fr = await runForecast(sql, hist.to);
    result.forecast_inference_ms = Math.round(performance.now() - t);
    result.forecast_rows_written = fr.hourlyRows + fr.dailyRows;

    const random = rng(3);
    const n = 50_000;
    const points = Array.from({ length: n }, (_, i) => ({
      t: i * 300_000,
      value: 100 + 40 * Math.sin((2 * Math.PI * i) / 288) + 10 * random(),
    }));
    t = performance.now();
    detectSeries(points);
    const ms = performance.now() - t;
    result.detect_points_per_s = Math.round(n / (ms / 1000));

    t = performance.now();
    await insertSyntheticCustomers(sql, { customers, days: 360, end: hist.to });
    const ct = await trainChurn(sql, { now: hist.to, horizonDays: 60, seed: 1 });
    result.churn_train_ms = ct.ms;
    result.churn = {
      roc_auc: ct.metrics.score.value,
      recency_auc: ct.metrics.baseline.value,
      pr_auc: ct.metrics.prAuc,
      brier: ct.metrics.brier,
    };
  } finally {
    await sql.end({ timeout: 1 });
    await dropDatabase(base.DATABASE_URL, name);
  }
  if (values.json) console.log(JSON.stringify(result));
  else {
    for (const [k, v] of Object.entries(result)) {
      console.log(`${k.padEnd(24)} ${typeof v === "object" ? JSON.stringify(v) : v}`);
    }
  }
  return 0;
}
