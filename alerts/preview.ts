/**
 * "Test a rule": replays a rule (saved or not) over the last 7 days and reports when it would
 * have fired, per scope key, through the same evaluators and lifecycle as the live engine.
 * Rules on rollups and anomaly flags have history; inventory and stream-lag/dead-letter rules
 * only have the present, so their preview is one evaluation now.
 */
import type { Runtime } from "../lib/runtime.ts";
import { evaluateRule } from "./evaluate.ts";
import { type AlertState, decide } from "./lifecycle.ts";
import type { Rule } from "./rules.ts";

/** One period in which the rule would have been firing. */
export interface FiredPeriod {
  key: string;
  store_ids: string[];
  from: string;
  /** null: still firing at the end of the preview. */
  to: string | null;
  summary: string;
}

/** The preview. */
export interface RulePreview {
  rule: string;
  from: string;
  to: string;
  step_s: number;
  evaluations: number;
  historical: boolean;
  fired: FiredPeriod[];
  summary: string;
}

/** Most evaluations a preview runs (7 days at 30-minute steps). */
export const MAX_POINTS = 336;

const hasHistory = (rule: Rule) =>
  rule.type === "threshold" || rule.type === "anomaly" ||
  (rule.type === "pipeline" && rule.params.check === "store_silent");

/** Previews `rule` over the `days` before `now`. */
export async function previewRule(
  rt: Runtime,
  rule: Rule,
  now: number = rt.clock.now(),
  days = 7,
): Promise<RulePreview> {
  const historical = hasHistory(rule);
  const span = historical ? days * 86_400_000 : 0;
  const stepMs = Math.max(rule.interval_s * 1000, Math.ceil(span / MAX_POINTS / 60_000) * 60_000);
  const start = now - span;
  const state = new Map<string, AlertState & { period: FiredPeriod | null }>();
  const fired: FiredPeriod[] = [];
  let evaluations = 0;
  for (let t = start; t <= now; t += stepMs || 1) {
    evaluations++;
    const obs = await evaluateRule(rt, rule, t);
    const byKey = new Map(obs.map((o) => [o.key, o]));
    for (const key of new Set([...byKey.keys(), ...state.keys()])) {
      const o = byKey.get(key) ?? null;
      const cur = state.get(key) ?? null;
      const d = decide(rule, cur, o, t);
      const iso = new Date(t).toISOString();
      const open = (s: AlertState["state"]) => {
        const period = s === "firing"
          ? { key, store_ids: o?.storeIds ?? [], from: iso, to: null, summary: o?.summary ?? "" }
          : null;
        if (period) fired.push(period);
        return period;
      };
      if (d.do === "create") {
        state.set(key, {
          state: d.state,
          startedAt: t,
          clearSince: null,
          flapCount: 0,
          period: open(d.state),
        });
      } else if (d.do === "update" && cur) {
        const period = d.fired ? open("firing") : cur.period;
        state.set(key, {
          ...cur,
          state: d.state,
          clearSince: d.clearSince,
          flapCount: d.flapCount,
          period,
        });
      } else if (d.do === "resolve" || d.do === "drop") {
        if (cur?.period) cur.period.to = iso;
        state.delete(key);
      }
    }
    if (!stepMs) break;
  }
  const keys = new Set(fired.map((f) => f.key));
  return {
    rule: rule.id,
    from: new Date(start).toISOString(),
    to: new Date(now).toISOString(),
    step_s: stepMs / 1000,
    evaluations,
    historical,
    fired,
    summary: fired.length === 0
      ? `would not have fired${historical ? ` in the last ${days} days` : " now"}`
      : `would have fired ${fired.length} time${fired.length > 1 ? "s" : ""} for ${keys.size} ${
        keys.size > 1 ? "scopes" : "scope"
      }${historical ? ` in the last ${days} days` : " now"}`,
  };
}
