/**
 * Threshold rules on the rollups: sales or receipts in the last N minutes, refund rate, and
 * pacing (store-local day so far against the same span a week earlier). Reads rollup_minute's
 * whole-store rows (category '*'); per store or summed over the scope.
 */
import type { Sql } from "../lib/db.ts";
import { formatMinor } from "../lib/events.ts";
import { compareObservation, type Observation } from "./observation.ts";
import { openInterval, openThroughout } from "./opening_hours.ts";
import type { Rule } from "./rules.ts";
import { type ScopeStore, storesInScope } from "./scope.ts";

type ThresholdRule = Extract<Rule, { type: "threshold" }>;

interface Sums {
  sales: number;
  tx: number;
  refund_cents: number;
  prev_sales: number;
}

async function windowSums(sql: Sql, ids: string[], from: Date, to: Date) {
  return await sql<{ store_id: string; sales: number; tx: number; refund_cents: number }[]>`
    select store_id, sum(sales_cents)::bigint as sales, sum(transactions)::bigint as tx,
           sum(refund_cents)::bigint as refund_cents
    from rollup_minute
    where category = '*' and store_id = any(${ids}) and bucket >= ${from} and bucket < ${to}
    group by store_id`;
}

/**
 * Sales since the store-local midnight and over the same span a week earlier. Whole hours come
 * from rollup_hour and only the ragged ends from rollup_minute, so a pass (and a 7-day preview
 * of 300+ passes) reads a few dozen rows per store instead of a day of minutes.
 */
async function pacingSums(sql: Sql, ids: string[], now: Date) {
  // One span's sum: minutes up to the first whole hour, whole hours, minutes after the last.
  const span = (shift: string) =>
    sql`(
      select coalesce(sum(sales_cents), 0)::bigint as sales,
             coalesce(sum(transactions), 0)::bigint as tx
      from (
        select sales_cents, transactions from rollup_minute
          where store_id = s.id and category = '*'
            and bucket >= w.d0 - ${shift}::interval
            and bucket < least(w.h0, w.t) - ${shift}::interval
        union all
        select sales_cents, transactions from rollup_hour
          where store_id = s.id and category = '*'
            and bucket >= w.h0 - ${shift}::interval and bucket < w.h1 - ${shift}::interval
        union all
        select sales_cents, transactions from rollup_minute
          where store_id = s.id and category = '*'
            and bucket >= greatest(w.h0, w.h1) - ${shift}::interval
            and bucket < w.t - ${shift}::interval
      ) parts
    )`;
  return await sql<{ store_id: string; sales: number; tx: number; prev_sales: number }[]>`
    select s.id as store_id, cur.sales, cur.tx, prev.sales as prev_sales
    from stores s
    cross join lateral (
      select d0, case when date_trunc('hour', d0) < d0
                      then date_trunc('hour', d0) + interval '1 hour' else d0 end as h0,
             date_trunc('hour', ${now}::timestamptz) as h1, ${now}::timestamptz as t
      from (select (date_trunc('day', ${now}::timestamptz at time zone s.timezone)
                    at time zone s.timezone) as d0) d
    ) w
    cross join lateral ${span("0")} cur
    cross join lateral ${span("7 days")} prev
    where s.id = any(${ids})`;
}

function metricValue(rule: ThresholdRule, s: Sums): number | null {
  const p = rule.params;
  switch (p.metric) {
    case "sales":
      return s.sales;
    case "transactions":
      return s.tx;
    case "refund_rate":
      return s.tx < p.min_transactions || s.sales <= 0 ? null : (s.refund_cents * 100) / s.sales;
    case "pacing":
      return s.prev_sales <= 0 || s.tx < p.min_transactions
        ? null
        : (s.sales / s.prev_sales - 1) * 100;
  }
}

function show(rule: ThresholdRule, v: number | null): string {
  if (v === null) return "n/a";
  const m = rule.params.metric;
  return m === "sales" ? formatMinor(v) : m === "transactions" ? String(v) : `${v.toFixed(1)}%`;
}

/** "sales 12.00 in 30 min (below 50.00)": what was measured against what. */
function describe(rule: ThresholdRule, v: number | null): string {
  const p = rule.params;
  const what = p.metric === "pacing"
    ? "pacing vs last week"
    : `${p.metric.replace("_", " ")} in ${p.window_min} min`;
  const limit = p.metric === "sales"
    ? formatMinor(p.value)
    : p.metric === "transactions"
    ? String(p.value)
    : `${p.value}%`;
  return `${what} ${show(rule, v)} (${p.op} ${limit})`;
}

/** Evaluates a threshold rule at `now`: one observation per store, or one for the scope. */
export async function evaluateThreshold(
  sql: Sql,
  rule: ThresholdRule,
  now: number,
): Promise<Observation[]> {
  const p = rule.params;
  const from = now - p.window_min * 60_000;
  const stores = (await storesInScope(sql, rule.scope)).filter((s: ScopeStore) =>
    !p.only_open ||
    (p.metric === "pacing"
      ? openInterval(s.opening_hours, s.timezone, now) !== null
      : openThroughout(s.opening_hours, s.timezone, from, now))
  );
  if (stores.length === 0) return [];
  const ids = stores.map((s) => s.id);
  const rows = p.metric === "pacing"
    ? await pacingSums(sql, ids, new Date(now))
    : (await windowSums(sql, ids, new Date(from), new Date(now))).map((r) => ({
      ...r,
      prev_sales: 0,
    }));
  const byStore = new Map(rows.map((r) => [r.store_id, r]));
  const zero: Sums = { sales: 0, tx: 0, refund_cents: 0, prev_sales: 0 };
  const sumsOf = (id: string): Sums => ({ ...zero, ...byStore.get(id) });
  if (p.per === "scope") {
    const total = ids.map(sumsOf).reduce((a, b) => ({
      sales: a.sales + b.sales,
      tx: a.tx + b.tx,
      refund_cents: a.refund_cents + b.refund_cents,
      prev_sales: a.prev_sales + b.prev_sales,
    }), zero);
    const v = metricValue(rule, total);
    return [
      compareObservation(rule, "scope", ids, v, `${stores.length} stores: ${describe(rule, v)}`, {
        stores: ids.length,
      }),
    ];
  }
  return stores.map((s) => {
    const v = metricValue(rule, sumsOf(s.id));
    return compareObservation(rule, s.id, [s.id], v, `${s.name}: ${describe(rule, v)}`, {
      store_name: s.name,
    });
  });
}
