/**
 * Product and stock queries behind GET /api/v1/top-products (from `sku_daily`) and
 * GET /api/v1/inventory (from `inventory`, with the latest `stock_risk` run where there is one).
 */
import type { Runtime } from "../lib/runtime.ts";
import { formatMinor } from "../lib/events.ts";
import {
  dayText,
  loadScope,
  parseDay,
  parseId,
  parseLimit,
  QueryError,
  today,
} from "./query_params.ts";

/** One product of a day's ranking. */
export interface TopProduct {
  rank: number;
  sku: string;
  category: string;
  units: number;
  /** Revenue (line amounts after discounts) as a decimal string in the store's currency. */
  revenue: string;
}

/**
 * A store's (or, with `store_id=*` or none, the chain's) best-selling SKUs on one store-local
 * date: `date` (default: today where the store is; for the chain, the latest local date of its stores), `limit` (1-100, default 10),
 * `by=revenue|units` (default revenue), optional `category`.
 */
export async function queryTopProducts(
  rt: Pick<Runtime, "sql" | "clock">,
  search: URLSearchParams,
): Promise<{ rows: TopProduct[]; date: string; currency: string }> {
  const storeId = search.has("store_id")
    ? parseId("store_id", search.get("store_id"), { all: true })
    : "*";
  const scope = await loadScope(rt, storeId);
  const rawDate = search.get("date");
  const day = rawDate ? parseDay("date", rawDate) : today(scope, rt.clock.now());
  const limit = parseLimit(search.get("limit"), 10, 100);
  const by = search.get("by") ?? "revenue";
  if (by !== "revenue" && by !== "units") {
    throw new QueryError(
      400,
      `by=${JSON.stringify(by)} is not supported: use by=revenue or by=units`,
    );
  }
  const category = search.has("category") ? parseId("category", search.get("category")) : null;
  const { sql } = rt;
  const rows = await sql<{ sku: string; category: string; units: number; revenue: number }[]>`
    select sku, max(category) as category, sum(units)::int8 as units,
           sum(revenue_cents)::int8 as revenue
    from sku_daily
    where day = ${dayText(day)}::date
      ${storeId === "*" ? sql`` : sql`and store_id = ${storeId}`}
      ${category === null ? sql`` : sql`and category = ${category}`}
    group by sku
    order by ${by === "units" ? sql`units desc, revenue desc` : sql`revenue desc, units desc`}, sku
    limit ${limit}`;
  return {
    rows: rows.map((r, i) => ({
      rank: i + 1,
      sku: r.sku,
      category: r.category,
      units: r.units,
      revenue: formatMinor(r.revenue, scope.digits),
    })),
    date: dayText(day),
    currency: scope.currency,
  };
}

/** Stock-out risk of one store x SKU from the latest demand model run. */
export interface StockRisk {
  daily_demand: number;
  /** null when demand is zero. */
  days_of_cover: number | null;
  stockout_date: string | null;
  reorder_qty: number;
  generated_at: string;
}

/** On-hand stock of one store x SKU. */
export interface InventoryRow {
  store_id: string;
  sku: string;
  on_hand: number;
  counted_at: string | null;
  updated_at: string;
  /** null until the demand model has scored this SKU. */
  risk: StockRisk | null;
}

/**
 * Stock on hand for `store_id` and/or `sku` (at least one): one store's SKUs, or one SKU
 * across stores. `limit` 1-5000 (default 500); ordered by store, then SKU.
 */
export async function queryInventory(
  rt: Pick<Runtime, "sql">,
  search: URLSearchParams,
): Promise<InventoryRow[]> {
  const storeId = search.get("store_id") ? parseId("store_id", search.get("store_id")) : null;
  const sku = search.get("sku") ? parseId("sku", search.get("sku")) : null;
  if (storeId === null && sku === null) {
    throw new QueryError(
      400,
      "give store_id, sku or both, e.g. /api/v1/inventory?store_id=S001 or ?sku=SKU-1001",
    );
  }
  if (storeId !== null) await loadScope(rt, storeId); // 404 for an unknown store
  const limit = parseLimit(search.get("limit"), 500, 5000);
  const { sql } = rt;
  const rows = await sql<
    {
      store_id: string;
      sku: string;
      on_hand: number;
      counted_at: Date | null;
      updated_at: Date;
      daily_demand: number | null;
      days_of_cover: number | null;
      stockout_date: string | null;
      reorder_qty: number | null;
      generated_at: Date | null;
    }[]
  >`
    select i.store_id, i.sku, i.on_hand, i.counted_at, i.updated_at,
           r.daily_demand, r.days_of_cover, r.stockout_date::text as stockout_date,
           r.reorder_qty, r.generated_at
    from inventory i
    left join stock_risk r on r.store_id = i.store_id and r.sku = i.sku
    where true
      ${storeId === null ? sql`` : sql`and i.store_id = ${storeId}`}
      ${sku === null ? sql`` : sql`and i.sku = ${sku}`}
    order by i.store_id, i.sku
    limit ${limit}`;
  return rows.map((r) => ({
    store_id: r.store_id,
    sku: r.sku,
    on_hand: r.on_hand,
    counted_at: r.counted_at?.toISOString() ?? null,
    updated_at: r.updated_at.toISOString(),
    risk: r.generated_at === null ? null : {
      daily_demand: r.daily_demand!,
      days_of_cover: r.days_of_cover,
      stockout_date: r.stockout_date,
      reorder_qty: r.reorder_qty!,
      generated_at: r.generated_at.toISOString(),
    },
  }));
}
