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
  const cat = q.byCategory ? "each" : "all";
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
    ), w as (
      select id, k, a, b,
        date_trunc('hour', a) + case when date_trunc('hour', a) = a then interval '0' else interval '1 hour' end as h1,
        date_trunc('hour', b) as h2
      from w0
    ), parts as (
      select w.id, w.k, m.category, m.sales_cents, m.transactions, m.units, m.refunds,
        m.refund_cents, m.discount_cents
      from w join rollup_minute m on m.store_id = w.id and m.bucket >= w.a and m.bucket <= w.b
        and (w.h1 >= w.h2 or m.bucket < w.h1 or m.bucket >= w.h2)
        and (case when ${cat} = 'all' then m.category = '*' else m.category <> '*' end)
      union all
      select w.id, w.k, h.category, h.sales_cents, h.transactions, h.units, h.refunds,
        h.refund_cents, h.discount_cents
      from w join rollup_hour h on h.store_id = w.id and h.bucket >= w.h1 and h.bucket < w.h2
        and (case when ${cat} = 'all' then h.category = '*' else h.category <> '*' end)
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
