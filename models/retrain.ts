/**
 * The weekly retrain: a new candidate of every model, promoted only if it beats the active
 * version on its backtest (the registry's rule), then the outputs refreshed.
 */
import type { Sql } from "../lib/db.ts";
import { errorMessage, log } from "../lib/log.ts";
import { trainForecast } from "./forecast.ts";
import { runForecast } from "./forecast_run.ts";
import { runChurn, trainChurn } from "./churn.ts";
import { trainDemand } from "./demand.ts";
import { trainAnomaly } from "./anomaly_eval.ts";
import { actor } from "./registry.ts";
import { promoteModel } from "./promotion.ts";

/** Retrains forecast, churn, demand and (when labels exist) anomaly thresholds. */
export async function retrainAll(sql: Sql, now: number): Promise<Record<string, unknown>> {
  const who = actor("scheduler");
  const out: Record<string, unknown> = {};
  const attempt = async (name: string, train: () => Promise<{ version: number }>) => {
    try {
      const t = await train();
      const p = await promoteModel(sql, name, t.version, { actor: who, now });
      out[name] = { version: t.version, promoted: p.promoted, reason: p.reason };
      return p.promoted;
    } catch (e) {
      out[name] = { error: errorMessage(e) };
      log.warn("retrain failed", { model: name, error: errorMessage(e) });
      return false;
    }
  };
  if (await attempt("forecast", () => trainForecast(sql, { now, trainedBy: who }))) {
    out.forecastRun = await runForecast(sql, now);
  }
  if (await attempt("churn", () => trainChurn(sql, { now, trainedBy: who }))) {
    out.churnRun = await runChurn(sql, now);
  }
  await attempt("demand", () => trainDemand(sql, { now, trainedBy: who }));
  const [l] = await sql`select count(*)::int as n from anomaly_labels`;
  if (l.n > 0) await attempt("anomaly", () => trainAnomaly(sql, { now, trainedBy: who }));
  return out;
}
