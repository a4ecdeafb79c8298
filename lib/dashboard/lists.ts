/**
 * The overview's lists: newest receipts (no customer data), top stores and products today,
 * velocity per store, recent alerts and how fresh the data is.
 */
import type { Runtime } from "../runtime.ts";
import type { Sql } from "../db.ts";
import { backlog } from "../../ingest/producer.ts";
import { pacing } from "./pacing.ts";
import type { DashScope } from "./scope.ts";

/** A receipt as the ticker shows it: no customer, no cashier. */
export interface TickerReceipt {
  store_id: string;
  transaction_id: string;
  type: "sale" | "refund";
  ts: number;
  total_cents: number;
  items: number;
}

/**
 * Newest receipts by event time, of the two days up to `now`. For one store, the store's newest
 * whole-store minute buckets (`rollup_minute`, by key: a bucket exists only where a receipt
 * landed, so the newest `limit` of them hold its newest `limit` receipts) say which minutes of
 * `receipts` to read: the chain's receipts of those minutes, not of everything since the store's
 * last sale (a store closed since yesterday read two days of the chain's receipts).
 */
export async function recentReceipts(
  sql: Sql,
  scope: DashScope,
  now: number,
  limit = 12,
): Promise<TickerReceipt[]> {
  const id = scope.store_id === "*" ? null : scope.store_id;
  const to = new Date(now);
  const candidates = id === null
    ? sql`select * from receipts where ts > ${to}::timestamptz - interval '2 days' and ts <= ${to}`
    : sql`select r.* from (select bucket from rollup_minute where store_id = ${id}
          and category = '*' and bucket > ${to}::timestamptz - interval '2 days 1 minute'
          and bucket <= ${to}
        order by bucket desc limit ${limit}) m,
      lateral (select * from receipts where store_id = ${id}
        and ts >= m.bucket and ts < m.bucket + interval '1 minute'
        and ts > ${to}::timestamptz - interval '2 days' and ts <= ${to}) r`;
  const rows = await sql<
    {
      store_id: string;
      transaction_id: string;
      type: "sale" | "refund";
      ts: Date;
      total_cents: number;
      units: number;
    }[]
  >`
    select store_id, transaction_id, type, ts, total_cents, units from (${candidates}) c
    order by ts desc limit ${limit}`;
  return rows.map((r) => ({
    store_id: r.store_id,
    transaction_id: r.transaction_id,
    type: r.type,
    ts: r.ts.getTime(),
    total_cents: r.total_cents,
    items: r.units,
  }));
}

/** A store's pacing today, for rankings and the stores table. */
export interface StoreToday {
  store_id: string;
  name: string;
  city: string | null;
  lat: number | null;
  lon: number | null;
  currency: string;
  sales_cents: number;
  transactions: number;
  last_week_cents: number;
  /** Open alerts naming the store (0 when the alerts tables are absent). */
  alerts: number;
}

/** Every store in scope with today's pacing and open alerts, best sellers first. */
export async function storesToday(sql: Sql, scope: DashScope, now: number): Promise<StoreToday[]> {
  const ids = scope.stores.map((s) => s.id);
  const [rows, alerts] = await Promise.all([
    pacing(sql, { now, storeIds: ids }),
    openAlertsByStore(sql),
  ]);
  const byId = new Map(rows.map((r) => [r.store_id, r]));
  return scope.stores.map((s) => {
    const p = byId.get(s.id);
    return {
      store_id: s.id,
      name: s.name,
      city: s.city,
      lat: s.lat,
      lon: s.lon,
      currency: s.currency,
      sales_cents: p?.today.sales_cents ?? 0,
      transactions: p?.today.transactions ?? 0,
      last_week_cents: p?.last_week.sales_cents ?? 0,
      alerts: alerts.get(s.id) ?? 0,
    };
  }).sort((a, b) => b.sales_cents - a.sales_cents || a.store_id.localeCompare(b.store_id));
}

async function tableExists(sql: Sql, name: string): Promise<boolean> {
  const [r] = await sql<{ ok: boolean }[]>`select to_regclass(${name}) is not null as ok`;
  return r.ok;
}

async function openAlertsByStore(sql: Sql): Promise<Map<string, number>> {
  if (!(await tableExists(sql, "alerts"))) return new Map();
  const rows = await sql<{ store_id: string; n: number }[]>`
    select s as store_id, count(*)::int as n from alerts, unnest(store_ids) as s
    where state in ('pending', 'firing', 'acknowledged') group by s`;
  return new Map(rows.map((r) => [r.store_id, r.n]));
}

/** A product's sales today. */
export interface ProductToday {
  sku: string;
  category: string;
  units: number;
  revenue_cents: number;
}

/** Best (or worst) selling SKUs on each store's local today. */
export async function productsToday(
  sql: Sql,
  scope: DashScope,
  now: number,
  opts: { limit?: number; order?: "top" | "bottom" } = {},
): Promise<ProductToday[]> {
  const ids = scope.stores.map((s) => s.id);
  const asc = opts.order === "bottom";
  const utcDate = new Date(now).toISOString().slice(0, 10);
  const rows = await sql<ProductToday[]>`
    select d.sku, min(d.category) as category, sum(d.units)::int8 as units,
      sum(d.revenue_cents)::int8 as revenue_cents
    from sku_daily d join stores s on s.id = d.store_id
    where d.store_id = any(${ids}::text[])
      and d.day = (${new Date(now)}::timestamptz at time zone s.timezone)::date
      -- Every store's local date is within a day of UTC's: bounds the index scan by date.
      and d.day between ${utcDate}::date - 1 and ${utcDate}::date + 1
    group by d.sku
    ${asc ? sql`having sum(d.units) > 0 and sum(d.revenue_cents) > 0` : sql``}
    order by ${asc ? sql`sum(d.revenue_cents) asc` : sql`sum(d.revenue_cents) desc`}, d.sku
    limit ${opts.limit ?? 10}`;
  return rows;
}

/** Sales velocity of a store: the last 15 minutes against what was expected. */
export interface Velocity {
  store_id: string;
  name: string;
  last15_cents: number;
  /** Expected for the same 15 minutes: forecast p50 when there is one, else last week. */
  expected_cents: number | null;
  basis: "forecast" | "last week" | null;
}

/** Velocity per store in scope, fastest first. */
export async function velocity(sql: Sql, scope: DashScope, now: number): Promise<Velocity[]> {
  const ids = scope.stores.map((s) => s.id);
  const t = new Date(now);
  const rows = await sql<
    { store_id: string; last15: number; week: number | null; forecast: number | null }[]
  >`
    select s.id as store_id,
      coalesce((select sum(sales_cents) from rollup_minute m where m.store_id = s.id
        and m.category = '*' and m.bucket > ${t}::timestamptz - interval '15 minutes'
        and m.bucket <= ${t}), 0)::int8 as last15,
      (select sum(sales_cents) from rollup_minute m where m.store_id = s.id
        and m.category = '*' and m.bucket > ${t}::timestamptz - interval '7 days 15 minutes'
        and m.bucket <= ${t}::timestamptz - interval '7 days')::int8 as week,
      (select p50_cents / 4 from forecasts f where f.store_id = s.id and f.category = '*'
        and f.resolution = 'hour' and f.bucket = date_trunc('hour', ${t}::timestamptz))::int8 as forecast
    from stores s where s.id = any(${ids}::text[])`;
  const names = new Map(scope.stores.map((s) => [s.id, s.name]));
  return rows.map((r) => ({
    store_id: r.store_id,
    name: names.get(r.store_id) ?? r.store_id,
    last15_cents: r.last15,
    expected_cents: r.forecast ?? r.week,
    basis: r.forecast !== null
      ? "forecast" as const
      : r.week !== null
      ? "last week" as const
      : null,
  })).sort((a, b) => b.last15_cents - a.last15_cents || a.store_id.localeCompare(b.store_id));
}

/** An open or recent alert. */
export interface AlertItem {
  id: number;
  state: string;
  severity: string;
  summary: string;
  store_ids: string[];
  at: number;
}

/** Newest alerts (null when the alerts tables do not exist yet). */
export async function recentAlerts(
  sql: Sql,
  scope: DashScope,
  limit = 6,
): Promise<AlertItem[] | null> {
  if (!(await tableExists(sql, "alerts"))) return null;
  const id = scope.store_id === "*" ? null : scope.store_id;
  const rows = await sql<
    {
      id: number;
      state: string;
      severity: string;
      summary: string;
      store_ids: string[];
      at: Date;
    }[]
  >`
    select id, state, severity, summary, store_ids, coalesce(fired_at, started_at) as at
    from alerts where (${id}::text is null or ${id} = any(store_ids))
    order by (state <> 'resolved') desc, coalesce(fired_at, started_at) desc limit ${limit}`;
  return rows.map((r) => ({ ...r, id: Number(r.id), at: r.at.getTime() }));
}

/** How current the figures are. */
export interface Freshness {
  /** Event time of the newest receipt, epoch ms; null when there is none. */
  newest_event: number | null;
  /** Events waiting in the streams for a worker. */
  backlog: number | null;
  now: number;
}

/**
 * The newest receipt (of the chain or one store) and the pipeline backlog. The scope's newest
 * whole-store minute bucket (`rollup_minute`, by key) says which minute holds the newest
 * receipt, so only that minute of `receipts` is read, however many receipts there are; if the
 * raw receipts of that minute are gone, the minute itself is the answer.
 */
export async function freshness(rt: Runtime, now: number, storeId = "*"): Promise<Freshness> {
  const id = storeId === "*" ? null : storeId;
  const [[row], lag] = await Promise.all([
    rt.sql<{ ts: Date | null }[]>`
      select coalesce(r.ts, m.bucket) as ts
      from (select bucket from rollup_minute where store_id = ${storeId} and category = '*'
        order by bucket desc limit 1) m
      left join lateral (select ts from receipts
        where ts >= m.bucket and ts < m.bucket + interval '1 minute'
          and (${id}::text is null or store_id = ${id})
        order by ts desc limit 1) r on true`,
    backlog(rt).catch(() => null),
  ]);
  return { newest_event: row?.ts?.getTime() ?? null, backlog: lag, now };
}
