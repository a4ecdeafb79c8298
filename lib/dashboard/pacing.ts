/**
 * Pacing: each store's totals from its own local midnight up to now, and over the same window one
 * week earlier ("today so far against the same time last week"). Windows are per store because
 * a chain spans time zones; the chain-wide figure is the sum of the stores' own windows.
 *
 * A window reads whole UTC hours from `rollup_hour` and the ragged ends (the part of the hour
 * after local midnight — half-hour zones — and the current hour) from `rollup_minute`, so a
 * full day costs ~24 + 120 rows per store, not 1,440.
 */
import type { Sql } from "../db.ts";
import { addTotals, type Totals, zeroTotals } from "../../pipeline/series.ts";

/** Counters summed over a window. */
export type { Totals };

/** Totals of one store (and category, when asked by category) for today and last week. */
export interface PacingRow {
  store_id: string;
  category: string;
  today: Totals;
  last_week: Totals;
}

/** What to sum: all stores or some, whole store (`'*'`) or each category. */
export interface PacingQuery {
  now: number;
  storeIds?: string[];
  byCategory?: boolean;
  /** Shift of the comparison window, days (default 7: same weekday last week). */
  compareDays?: number;
}

export { addTotals, zeroTotals };

interface Raw extends Totals {
  store_id: string;
  category: string;
  k: "t" | "w";
}

/** Today-so-far and same-time-last-week totals per store (and category). */
export async function pacing(sql: Sql, q: PacingQuery): Promise<PacingRow[]> {
  const now = new Date(q.now);
  const shift = `${q.compareDays ?? 7} days`;
  const ids = q.storeIds ?? null;
  // Whole-store rows or category rows: a condition of its own, so that with the store and the
  // time range it bounds an index scan.
  const cat = (t: "m" | "h") =>
    q.byCategory ? sql`${sql(t)}.category <> '*'` : sql`${sql(t)}.category = '*'`;
  const sums = (t: "m" | "h") =>
    sql`sum(${sql(t)}.sales_cents) as sales_cents, sum(${sql(t)}.transactions) as transactions,
      sum(${sql(t)}.units) as units, sum(${sql(t)}.refunds) as refunds,
      sum(${sql(t)}.refund_cents) as refund_cents, sum(${sql(t)}.discount_cents) as discount_cents`;
  const rows = await sql<Raw[]>`
    with s as (
      select id, timezone from stores where ${ids}::text[] is null or id = any(${ids}::text[])
    ), w0 as (
      select id, 't' as k, ${now}::timestamptz as b,
        (date_trunc('day', ${now}::timestamptz at time zone timezone) at time zone timezone) as a
      from s
      union all
      select id, 'w', ${now}::timestamptz - ${shift}::interval,
        (date_trunc('day', (${now}::timestamptz - ${shift}::interval) at time zone timezone)
          at time zone timezone)
      from s
    ), w1 as (
      select id, k, a, b,
        date_trunc('hour', a) + case when date_trunc('hour', a) = a then interval '0' else interval '1 hour' end as h1,
        date_trunc('hour', b) as h2
      from w0
    ), w as (
      -- Minutes in [a, e1) and [s2, b], whole hours in [h1, h2): when no whole hour fits, the
      -- whole window is minutes.
      select id, k, a, b, h1, h2,
        case when h1 < h2 then h1 else 'infinity' end as e1,
        case when h1 < h2 then h2 else 'infinity' end as s2
      from w1
    ), parts as (
      -- Each part is summed per window in a lateral subquery, which runs once per store and
      -- window as an index scan bounded by that window; as a plain join, PostgreSQL cannot tell
      -- how narrow the per-store ranges are, and with many stores it hashes the whole table.
      select w.id, w.k, x.* from w, lateral (
        select m.category, ${sums("m")} from rollup_minute m
        where m.store_id = w.id and m.bucket >= w.a and m.bucket <= w.b and m.bucket < w.e1
          and ${cat("m")}
        group by m.category) x
      union all
      select w.id, w.k, x.* from w, lateral (
        select m.category, ${sums("m")} from rollup_minute m
        where m.store_id = w.id and m.bucket >= w.s2 and m.bucket <= w.b and ${cat("m")}
        group by m.category) x
      union all
      select w.id, w.k, x.* from w, lateral (
        select h.category, ${sums("h")} from rollup_hour h
        where h.store_id = w.id and h.bucket >= w.h1 and h.bucket < w.h2 and ${cat("h")}
        group by h.category) x
    )
    select id as store_id, category, k,
      sum(sales_cents)::int8 as sales_cents, sum(transactions)::int8 as transactions,
      sum(units)::int8 as units, sum(refunds)::int8 as refunds,
      sum(refund_cents)::int8 as refund_cents, sum(discount_cents)::int8 as discount_cents
    from parts group by id, category, k`;
  const out = new Map<string, PacingRow>();
  for (const r of rows) {
    const key = `${r.store_id}\u0000${r.category}`;
    let row = out.get(key);
    if (!row) {
      row = {
        store_id: r.store_id,
        category: r.category,
        today: zeroTotals(),
        last_week: zeroTotals(),
      };
      out.set(key, row);
    }
    addTotals(r.k === "t" ? row.today : row.last_week, r);
  }
  return [...out.values()];
}

/** Sums pacing rows into one today / last-week pair. */
export function sumPacing(rows: PacingRow[]): { today: Totals; last_week: Totals } {
  const today = zeroTotals();
  const last_week = zeroTotals();
  for (const r of rows) {
    addTotals(today, r.today);
    addTotals(last_week, r.last_week);
  }
  return { today, last_week };
}
