/**
 * What an evaluator reports for one scope key at one instant. `active` and `clear` are separate
 * so a rule can have hysteresis: between the firing and the resolution threshold a value is
 * neither, and the alert keeps its state instead of flapping.
 */
import type { Rule, Severity } from "./rules.ts";

/** One rule x scope key observation. */
export interface Observation {
  /** Scope key: a store id, "scope" for a summed scope, "stream:<name>", "dlq"... */
  key: string;
  storeIds: string[];
  /** The firing condition holds. */
  active: boolean;
  /** The resolution condition holds. */
  clear: boolean;
  value: number | null;
  summary: string;
  details: Record<string, unknown>;
  /** Overrides the rule's severity (anomaly alerts take their worst flag's). */
  severity?: Severity;
}

/** Observation of a numeric value against a threshold rule's firing and resolution values. */
export function compareObservation(
  rule: Extract<Rule, { type: "threshold" }>,
  key: string,
  storeIds: string[],
  value: number | null,
  summary: string,
  details: Record<string, unknown> = {},
): Observation {
  if (value === null) {
    // Not evaluable now (closed, too few receipts): counts as clear, never as firing.
    return { key, storeIds, active: false, clear: true, value, summary, details };
  }
  const { op, value: limit } = rule.params;
  const back = rule.resolve.value ?? limit;
  const active = op === "below" ? value < limit : value > limit;
  const clear = op === "below" ? value >= back : value <= back;
  return { key, storeIds, active, clear: clear && !active, value, summary, details };
}
