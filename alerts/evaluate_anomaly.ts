/**
 * Anomaly rules: the models' anomaly_flags (migrations/0002) of at least a severity, per store.
 * A store's alert stays active while any matching flag's window ended within the lookback, and
 * takes the severity of its worst flag.
 */
import type { Sql } from "../lib/db.ts";
import type { Observation } from "./observation.ts";
import { type Rule, SEVERITIES, type Severity, severityRank } from "./rules.ts";
import { storesInScope } from "./scope.ts";

type AnomalyRule = Extract<Rule, { type: "anomaly" }>;

interface Flag {
  id: number;
  store_id: string;
  kind: string;
  severity: Severity;
  score: number;
  category: string | null;
  register_id: string | null;
  window_start: Date;
  window_end: Date;
}

/** Evaluates an anomaly rule at `now`: one active observation per store with matching flags. */
export async function evaluateAnomaly(
  sql: Sql,
  rule: AnomalyRule,
  now: number,
): Promise<Observation[]> {
  const p = rule.params;
  const stores = await storesInScope(sql, rule.scope);
  if (stores.length === 0) return [];
  const severities = SEVERITIES.filter((s) => severityRank(s) >= severityRank(p.min_severity));
  const kinds = p.kinds?.length ? p.kinds : null;
  const flags = await sql<Flag[]>`
    select id, store_id, kind, severity, score, category, register_id, window_start, window_end
    from anomaly_flags
    where store_id = any(${stores.map((s) => s.id)})
      and window_end > ${new Date(now - p.lookback_min * 60_000)}
      and window_start <= ${new Date(now)}
      and severity = any(${severities})
      and (${kinds}::text[] is null or kind = any(${kinds}::text[]))
    order by store_id, score desc`;
  const byStore = new Map<string, Flag[]>();
  for (const f of flags) byStore.set(f.store_id, [...(byStore.get(f.store_id) ?? []), f]);
  return stores.map((s): Observation => {
    const list = byStore.get(s.id) ?? [];
    if (list.length === 0) {
      return {
        key: s.id,
        storeIds: [s.id],
        active: false,
        clear: true,
        value: null,
        summary: `${s.name}: no anomaly`,
        details: {},
      };
    }
    const worst = list.reduce(
      (a, f) => severityRank(f.severity) > severityRank(a) ? f.severity : a,
      "low" as Severity,
    );
    const kindsSeen = [...new Set(list.map((f) => f.kind))];
    return {
      key: s.id,
      storeIds: [s.id],
      active: true,
      clear: false,
      value: list[0].score,
      severity: worst,
      summary: `${s.name}: ${list.length} anomaly flag${list.length > 1 ? "s" : ""} (${
        kindsSeen.join(", ")
      }), worst ${worst}, score ${list[0].score.toFixed(1)}`,
      details: {
        store_name: s.name,
        flags: list.slice(0, 10).map((f) => ({
          id: f.id,
          kind: f.kind,
          severity: f.severity,
          score: f.score,
          category: f.category,
          register_id: f.register_id,
          window_start: f.window_start.toISOString(),
          window_end: f.window_end.toISOString(),
        })),
      },
    };
  });
}
