/**
 * Inventory rules: SKUs out of stock (inventory.on_hand <= 0) or with fewer days of cover than
 * N (stock_risk from the demand model), one observation per store listing its SKUs.
 */
import type { Sql } from "../lib/db.ts";
import type { Observation } from "./observation.ts";
import type { Rule } from "./rules.ts";
import { storesInScope } from "./scope.ts";

type InventoryRule = Extract<Rule, { type: "inventory" }>;

/** Evaluates an inventory rule at `now` (current state; inventory has no history to replay). */
export async function evaluateInventory(
  sql: Sql,
  rule: InventoryRule,
  _now: number,
): Promise<Observation[]> {
  const p = rule.params;
  const stores = await storesInScope(sql, rule.scope);
  if (stores.length === 0) return [];
  const ids = stores.map((s) => s.id);
  const skus = p.skus?.length ? p.skus : null;
  const rows = p.condition === "stockout"
    ? await sql<{ store_id: string; sku: string; v: number }[]>`
        select store_id, sku, on_hand as v from inventory
        where store_id = any(${ids}) and on_hand <= 0
          and (${skus}::text[] is null or sku = any(${skus}::text[]))
        order by store_id, sku`
    : await sql<{ store_id: string; sku: string; v: number }[]>`
        select store_id, sku, days_of_cover as v from stock_risk
        where store_id = any(${ids}) and days_of_cover is not null and days_of_cover < ${p.days!}
          and (${skus}::text[] is null or sku = any(${skus}::text[]))
        order by store_id, days_of_cover, sku`;
  const byStore = new Map<string, { sku: string; v: number }[]>();
  for (const r of rows) byStore.set(r.store_id, [...(byStore.get(r.store_id) ?? []), r]);
  const what = p.condition === "stockout" ? "out of stock" : `under ${p.days} days of cover`;
  return stores.map((s): Observation => {
    const list = byStore.get(s.id) ?? [];
    const shown = list.slice(0, 5).map((r) => r.sku).join(", ") +
      (list.length > 5 ? ` and ${list.length - 5} more` : "");
    return {
      key: s.id,
      storeIds: [s.id],
      active: list.length > 0,
      clear: list.length === 0,
      value: list.length,
      summary: list.length ? `${s.name}: ${list.length} SKU(s) ${what}: ${shown}` : `${s.name}: ok`,
      details: { store_name: s.name, skus: list.slice(0, 50) },
    };
  });
}
