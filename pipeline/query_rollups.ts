/**
 * Reads one series of the PostgreSQL rollups (rollup_minute / rollup_hour / rollup_day, see
 * migrations/0001_core.sql) as {@link BucketValue}s: the same shape the Redis series store
 * returns, so the query API can answer from either side.
 */
import type { Sql } from "../lib/db.ts";
import type { BucketValue, Resolution } from "./series.ts";
import { dayText } from "./query_params.ts";

/** A series and an inclusive range of bucket starts (epoch ms). */
export interface RollupRange {
  interval: Resolution;
  store_id: string;
  category: string;
  from: number;
  to: number;
}

type Row = Omit<BucketValue, "resolution" | "store_id" | "category">;

// Clamp to years that dates print as YYYY-MM-DD (callers pass ±8.64e15 for "all"); sales
// before 1970 do not exist here.
const MIN_MS = Date.UTC(1970, 0, 1);
const MAX_MS = Date.UTC(9999, 11, 31);
const clamp = (ms: number) => Math.min(MAX_MS, Math.max(MIN_MS, ms));

/** Buckets of one series with `from <= bucket <= to`, ascending; only stored rows. */
export async function readRollups(sql: Sql, q: RollupRange): Promise<BucketValue[]> {
  const from = clamp(q.from);
  const to = clamp(q.to);
  let rows: Row[];
  if (q.interval === "day") {
    // A day bucket is the UTC midnight of the store-local date (epoch of date::timestamp).
    rows = await sql<Row[]>`
      select (extract(epoch from day::timestamp) * 1000)::int8 as bucket,
             sales_cents, transactions, units, refunds, refund_cents, discount_cents, revised
      from rollup_day
      where store_id = ${q.store_id} and category = ${q.category}
        and day between ${dayText(from)}::date and ${dayText(to)}::date
      order by day`;
  } else {
    const table = q.interval === "minute" ? "rollup_minute" : "rollup_hour";
    rows = await sql<Row[]>`
      select (extract(epoch from bucket) * 1000)::int8 as bucket,
             sales_cents, transactions, units, refunds, refund_cents, discount_cents, revised
      from ${sql(table)}
      where store_id = ${q.store_id} and category = ${q.category}
        and bucket between ${new Date(from)} and ${new Date(to)}
      order by bucket`;
  }
  return rows.map((r) => ({
    resolution: q.interval,
    store_id: q.store_id,
    category: q.category,
    bucket: r.bucket,
    sales_cents: r.sales_cents,
    transactions: r.transactions,
    units: r.units,
    refunds: r.refunds,
    refund_cents: r.refund_cents,
    discount_cents: r.discount_cents,
    revised: r.revised,
  }));
}
