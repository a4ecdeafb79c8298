/**
 * Promotion with a fair comparison: before the registry compares a forecast candidate with the
 * active version, the active version is re-backtested on the candidate's own window (same data
 * end, same number of days), so the two scores measure the same hours against the same
 * baseline. Other models compare their stored scores.
 */
import type { Sql } from "../lib/db.ts";
import { activeVersion, getVersion, promote, type PromoteResult } from "./registry.ts";
import { evaluateForecast } from "./forecast.ts";

/** Promotes `version` of `name` under the registry's rule, re-measuring the active forecast. */
export async function promoteModel(
  sql: Sql,
  name: string,
  version: number,
  opts: { force?: boolean; actor: string; now?: number },
): Promise<PromoteResult> {
  let activeScore: number | undefined;
  const active = await activeVersion(sql, name);
  if (name === "forecast" && active && active.version !== version && !opts.force) {
    const cand = await getVersion(sql, name, version);
    const split = cand.params.split as { backtest?: number } | undefined;
    try {
      const r = await evaluateForecast(sql, {
        version: active.version,
        to: cand.dataTo ?? undefined,
        backtestDays: split?.backtest,
        now: opts.now,
      });
      if (r.from === (cand.metrics.backtest as { from?: string })?.from) {
        activeScore = r.overall.mase;
      }
    } catch { /* the stored score is the fallback */ }
  }
  return await promote(sql, name, version, { ...opts, activeScore });
}
