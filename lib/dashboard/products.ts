/**
 * The product performance matrix (category × store: sales today and growth against the same
 * time last week) and a SKU's daily trend.
 */
import type { Sql } from "../db.ts";
import { pacing } from "./pacing.ts";
import { dateIn } from "./format.ts";

/** One cell of the matrix. */
export interface MatrixCell {
  sales_cents: number;
  last_week_cents: number;
}

/** Categories (rows) × stores (columns). */
export interface Matrix {
  categories: string[];
  stores: { id: string; name: string }[];
  /** cells[category][store] */
  cells: Record<string, Record<string, MatrixCell>>;
  /** Largest cell, for the colour scale. */
  max: number;
}

/** The matrix over `stores` at `now`. */
export async function productMatrix(
  sql: Sql,
  stores: { id: string; name: string }[],
  now: number,
): Promise<Matrix> {
  const rows = await pacing(sql, { now, storeIds: stores.map((s) => s.id), byCategory: true });
  const cells: Matrix["cells"] = {};
  let max = 0;
  for (const r of rows) {
    (cells[r.category] ??= {})[r.store_id] = {
      sales_cents: r.today.sales_cents,
      last_week_cents: r.last_week.sales_cents,
    };
    max = Math.max(max, r.today.sales_cents);
  }
  const total = (c: string) => Object.values(cells[c]).reduce((a, x) => a + x.sales_cents, 0);
  const categories = Object.keys(cells).sort((a, b) => total(b) - total(a) || a.localeCompare(b));
  return { categories, stores, cells, max };
}

/** A SKU's sales per store-local day. */
export interface SkuTrend {
  sku: string;
  category: string | null;
  days: string[];
  xs: number[];
  units: number[];
  revenue_cents: number[];
}

/** The last `days` days of one SKU across `storeIds`. */
export async function skuTrend(
  sql: Sql,
  sku: string,
  storeIds: string[],
  timezone: string,
  now: number,
  days = 28,
): Promise<SkuTrend> {
  const last = dateIn(now, timezone);
  const rows = await sql<{ day: string; category: string; units: number; revenue: number }[]>`
    select day::text as day, max(category) as category, sum(units)::int8 as units,
      sum(revenue_cents)::int8 as revenue
    from sku_daily
    where sku = ${sku} and store_id = any(${storeIds}::text[])
      and day > ${last}::date - ${days}::int and day <= ${last}::date
    group by day order by day`;
  const by = new Map(rows.map((r) => [r.day, r]));
  const out: SkuTrend = {
    sku,
    category: rows[0]?.category ?? null,
    days: [],
    xs: [],
    units: [],
    revenue_cents: [],
  };
  const end = Date.parse(`${last}T00:00:00Z`);
  for (let i = days - 1; i >= 0; i--) {
    const x = end - i * 86_400_000;
    const d = new Date(x).toISOString().slice(0, 10);
    out.days.push(d);
    out.xs.push(x);
    out.units.push(by.get(d)?.units ?? 0);
    out.revenue_cents.push(by.get(d)?.revenue ?? 0);
  }
  return out;
}
