/** Dispatches a rule to the evaluator of its type. */
import type { Runtime } from "../lib/runtime.ts";
import { evaluateAnomaly } from "./evaluate_anomaly.ts";
import { evaluateInventory } from "./evaluate_inventory.ts";
import { evaluatePipeline } from "./evaluate_pipeline.ts";
import { evaluateThreshold } from "./evaluate_threshold.ts";
import type { Observation } from "./observation.ts";
import type { Rule } from "./rules.ts";

/** Observations of `rule` at `now` (epoch ms), one per scope key it can say something about. */
export function evaluateRule(rt: Runtime, rule: Rule, now: number): Promise<Observation[]> {
  switch (rule.type) {
    case "threshold":
      return evaluateThreshold(rt.sql, rule, now);
    case "anomaly":
      return evaluateAnomaly(rt.sql, rule, now);
    case "inventory":
      return evaluateInventory(rt.sql, rule, now);
    case "pipeline":
      return evaluatePipeline(rt, rule, now);
  }
}
