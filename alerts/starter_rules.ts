/**
 * Starter rules: on a fresh install (no rule yet, no provisioning file) a handful of rules a
 * store manager would expect, so injected anomalies and real outages show up in the in-app feed
 * from the first day. Created once: a marker in app_secrets keeps deleted ones deleted.
 */
import type { Sql } from "../lib/db.ts";
import { parseRule } from "./rules.ts";
import { listRules, saveRule } from "./rule_store.ts";

/** The rules created on a fresh install (editable like any other). */
export const STARTER_RULES = [
  {
    id: "anomalies-high",
    name: "Unusual sales, refunds or discounts (high severity)",
    type: "anomaly",
    params: { min_severity: "high", lookback_min: 120 },
    severity: "high",
  },
  {
    id: "store-silent",
    name: "Store silent for 30 minutes while open",
    type: "pipeline",
    params: { check: "store_silent", minutes: 30 },
    severity: "high",
    for_s: 120,
  },
  {
    id: "pipeline-lag",
    name: "Pipeline behind by more than 2 minutes",
    type: "pipeline",
    params: { check: "lag_above", seconds: 120 },
    severity: "critical",
    for_s: 60,
  },
  {
    id: "stockouts",
    name: "Products out of stock",
    type: "inventory",
    params: { condition: "stockout" },
    severity: "medium",
    interval_s: 300,
  },
] as const;

const MARKER = "starter_rules";

/** Creates the starter rules if this installation never had any rule. Returns the ids made. */
export async function ensureStarterRules(sql: Sql): Promise<string[]> {
  const [marker] = await sql`select 1 from app_secrets where name = ${MARKER}`;
  if (marker) return [];
  const made: string[] = [];
  if ((await listRules(sql)).length === 0) {
    for (const input of STARTER_RULES) {
      await saveRule(sql, { ...parseRule(input), provisioned: false });
      made.push(input.id);
    }
  }
  await sql`insert into app_secrets (name, value) values (${MARKER}, ${sql.json(made)})
            on conflict (name) do nothing`;
  return made;
}
