/**
 * The weekly retrain: a new candidate of every model, promoted only if it beats the active
 * version on its backtest (the registry's rule), then the outputs refreshed.
 */
import type { Sql } from "../lib/db.ts";
import { errorMessage, log } from "../lib/log.ts";
import { runForecast } from "./forecast_run.ts";
import { runChurn } from "./churn.ts";
import { actor } from "./registry.ts";
import { promoteModel } from "./promotion.ts";
import { trainer, TrainingStopped } from "./train_worker.ts";

/** Retrains forecast, churn, demand and (when labels exist) anomaly thresholds. */
export async function retrainAll(
  sql: Sql,
  now: number,
  opts: { databaseUrl?: string; signal?: AbortSignal } = {},
): Promise<Record<string, unknown>> {
  const who = actor("scheduler");
  const train = trainer(sql, opts.databaseUrl, opts.signal);
  const out: Record<string, unknown> = {};
  const attempt = async (name: string, train: () => Promise<{ version: number }>) => {
    try {
      const t = await train();
      const p = await promoteModel(sql, name, t.version, { actor: who, now });
      out[name] = { version: t.version, promoted: p.promoted, reason: p.reason };
      return p.promoted;
    } catch (e) {
      if (e instanceof TrainingStopped) throw e;
      out[name] = { error: errorMessage(e) };
      log.warn("retrain failed", { model: name, error: errorMessage(e) });
      return false;
    }
  };
  if (await attempt("forecast", () => train("forecast", { now, trainedBy: who }))) {
    out.forecastRun = await runForecast(sql, now);
  }
  if (await attempt("churn", () => train("churn", { now, trainedBy: who }))) {
    out.churnRun = await runChurn(sql, now);
  }
  await attempt("demand", () => train("demand", { now, trainedBy: who }));
  const [l] = await sql`select count(*)::int as n from anomaly_labels`;
  if (l.n > 0) await attempt("anomaly", () => train("anomaly", { now, trainedBy: who }));
  return out;
}
