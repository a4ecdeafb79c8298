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

async function pacingSums(sql: Sql, ids: string[], now: Date) {
  return await sql<{ store_id: string; sales: number; tx: number; prev_sales: number }[]>`
    select s.id as store_id,
      (select coalesce(sum(r.sales_cents), 0)::bigint from rollup_minute r
        where r.store_id = s.id and r.category = '*' and r.bucket >= d.d0 and r.bucket < ${now})
        as sales,
      (select coalesce(sum(r.transactions), 0)::bigint from rollup_minute r
        where r.store_id = s.id and r.category = '*' and r.bucket >= d.d0 and r.bucket < ${now})
        as tx,
      (select coalesce(sum(r.sales_cents), 0)::bigint from rollup_minute r
        where r.store_id = s.id and r.category = '*' and r.bucket >= d.d0 - interval '7 days'
          and r.bucket < ${now}::timestamptz - interval '7 days') as prev_sales
    from stores s,
      lateral (select (date_trunc('day', ${now}::timestamptz at time zone s.timezone)
                       at time zone s.timezone) as d0) d
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
      compareObservation(rule, "scope", ids, v, `${stores.length} stores: ${show(rule, v)}`, {
        stores: ids.length,
      }),
    ];
  }
  return stores.map((s) => {
    const v = metricValue(rule, sumsOf(s.id));
    return compareObservation(rule, s.id, [s.id], v, `${s.name}: ${show(rule, v)}`, {
      store_name: s.name,
    });
  });
}
