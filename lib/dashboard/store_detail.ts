/**
 * One store's page beyond the overview blocks: today's category breakdown against last week,
 * registers today, the hourly pattern (today against the average of the same weekday over the
 * last four weeks) and its inventory risks.
 */
import type { Sql } from "../db.ts";
import { pacing } from "./pacing.ts";
import { localMidnight } from "./format.ts";
import { localDate } from "../stores.ts";

/** A category's sales today against the same time last week. */
export interface CategoryRow {
  category: string;
  sales_cents: number;
  last_week_cents: number;
  units: number;
  transactions: number;
}

/** Categories of one store (or of several, summed), best first. */
export async function categoriesToday(
  sql: Sql,
  storeIds: string[],
  now: number,
): Promise<CategoryRow[]> {
  const rows = await pacing(sql, { now, storeIds, byCategory: true });
  const by = new Map<string, CategoryRow>();
  for (const r of rows) {
    const c = by.get(r.category) ??
      { category: r.category, sales_cents: 0, last_week_cents: 0, units: 0, transactions: 0 };
    c.sales_cents += r.today.sales_cents;
    c.last_week_cents += r.last_week.sales_cents;
    c.units += r.today.units;
    c.transactions += r.today.transactions;
    by.set(r.category, c);
  }
  return [...by.values()].sort((a, b) =>
    b.sales_cents - a.sales_cents || a.category.localeCompare(b.category)
  );
}

/** A register's activity today. */
export interface RegisterRow {
  register_id: string;
  transactions: number;
  sales_cents: number;
  refunds: number;
  refund_cents: number;
  last_at: number;
}

/**
 * Registers of a store on its local date (`register_day`, which the stream workers keep: one
 * store's few rows, however many receipts the chain has that day).
 */
export async function registersToday(
  sql: Sql,
  storeId: string,
  timezone: string,
  now: number,
): Promise<RegisterRow[]> {
  const rows = await sql<
    (Omit<RegisterRow, "last_at"> & { last_at: Date })[]
  >`
    select register_id, transactions, sales_cents, refunds, refund_cents, last_at
    from register_day where store_id = ${storeId} and day = ${localDate(now, timezone)}::date
    order by register_id`;
  return rows.map((r) => ({ ...r, last_at: r.last_at.getTime() }));
}

/** Sales by local hour of day: today and the same weekday's average over four weeks. */
export interface HourlyPattern {
  hours: number[];
  today: (number | null)[];
  typical: number[];
}

/** The hourly pattern of a store in its own time zone. */
export async function hourlyPattern(
  sql: Sql,
  storeId: string,
  timezone: string,
  now: number,
): Promise<HourlyPattern> {
  const midnight = localMidnight(now, timezone);
  const rows = await sql<{ w: number; h: number; sales: number }[]>`
    select w, extract(hour from bucket at time zone ${timezone})::int as h,
      sum(sales_cents)::int8 as sales
    from rollup_hour, generate_series(0, 4) as w
    where store_id = ${storeId} and category = '*'
      and bucket >= ${new Date(midnight)}::timestamptz - make_interval(days => 7 * w)
      and bucket < ${new Date(
    midnight,
  )}::timestamptz - make_interval(days => 7 * w) + interval '1 day'
    group by w, h`;
  const hours = Array.from({ length: 24 }, (_, i) => i);
  const today: (number | null)[] = hours.map(() => 0);
  const sums = hours.map(() => 0);
  const nowHour = Math.floor((now - midnight) / 3_600_000);
  for (const r of rows) {
    if (r.w === 0) today[r.h] = r.sales;
    else sums[r.h] += r.sales;
  }
  for (let h = nowHour + 1; h < 24; h++) today[h] = null;
  return { hours, today, typical: sums.map((s) => Math.round(s / 4)) };
}

/** An inventory risk line. */
export interface RiskRow {
  store_id: string;
  sku: string;
  on_hand: number;
  daily_demand: number | null;
  days_of_cover: number | null;
  stockout_date: string | null;
  reorder_qty: number | null;
}

/**
 * Stock-outs and low stock: SKUs with nothing on hand, or under `lowDays` days of cover; most
 * urgent first. Cover is the stock on hand NOW divided by the demand model's daily demand (the
 * model's own on-hand snapshot may predate the latest counts), so it moves with every sale.
 */
export async function inventoryRisks(
  sql: Sql,
  opts: { storeIds?: string[]; lowDays?: number; limit?: number; today?: string } = {},
): Promise<RiskRow[]> {
  const ids = opts.storeIds ?? null;
  const today = opts.today ?? null;
  return await sql<RiskRow[]>`
    select store_id, sku, on_hand, daily_demand, days_of_cover,
      (coalesce(${today}::date, current_date) + floor(days_of_cover)::int)::text
        as stockout_date, reorder_qty
    from (
      select i.store_id, i.sku, i.on_hand, r.daily_demand, r.reorder_qty,
        case when r.daily_demand > 0 then round((greatest(i.on_hand, 0) / r.daily_demand)::numeric, 1)::float8 end
          as days_of_cover
      from inventory i left join stock_risk r on r.store_id = i.store_id and r.sku = i.sku
      where (${ids}::text[] is null or i.store_id = any(${ids}::text[]))
    ) x
    where on_hand <= 0 or days_of_cover < ${opts.lowDays ?? 7}
    order by (on_hand <= 0) desc, days_of_cover asc nulls last, store_id, sku
    limit ${opts.limit ?? 200}`;
}

/** Stock summary figures of a scope. */
export interface StockSummary {
  skus: number;
  units_on_hand: number;
  stock_outs: number;
  low: number;
  scored: number;
}

/** Counts for the inventory page's header. */
export async function stockSummary(
  sql: Sql,
  storeIds: string[] | null,
  lowDays = 7,
): Promise<StockSummary> {
  const [r] = await sql<StockSummary[]>`
    select count(*)::int as skus, coalesce(sum(greatest(i.on_hand, 0)), 0)::int8 as units_on_hand,
      count(*) filter (where i.on_hand <= 0)::int as stock_outs,
      count(*) filter (where i.on_hand > 0 and r.daily_demand > 0
        and i.on_hand / r.daily_demand < ${lowDays})::int as low,
      count(r.sku)::int as scored
    from inventory i left join stock_risk r on r.store_id = i.store_id and r.sku = i.sku
    where (${storeIds}::text[] is null or i.store_id = any(${storeIds}::text[]))`;
  return r;
}
