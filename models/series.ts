/**
 * Training data from the PostgreSQL rollups (never Redis): dense hourly and daily sales series
 * per store x category, per store (category '*') and chain-wide ('*', '*'). The totals are summed
 * here from the category rows, so they do not depend on the pipeline writing '*' rows.
 */
import type { Sql } from "../lib/db.ts";
import { DAY_MS, HOUR_MS } from "./calendar.ts";

/** One series: its key and one value (cents) per step. */
export interface Series {
  store: string;
  category: string;
  values: Float64Array;
}

/** Dense series on a common grid of `length` steps from `start` (UTC epoch ms). */
export interface SeriesSet {
  start: number;
  length: number;
  stepMs: number;
  series: Series[];
  /** IANA time zone of each store ('*' and unknown stores: UTC). */
  timezones: Map<string, string>;
}

/** Store time zones from `stores`; '*' (chain-wide) uses UTC. */
export async function loadTimezones(sql: Sql): Promise<Map<string, string>> {
  const rows = await sql<{ id: string; timezone: string }[]>`select id, timezone from stores`;
  const m = new Map(rows.map((r) => [r.id, r.timezone]));
  m.set("*", "UTC");
  return m;
}

/**
 * Sums rows of one rollup into a dense array per store x category, at step `at(row)`: rollups
 * have no row for a bucket without sales, and the models want those as zeros.
 */
function denseByKey<R extends { store_id: string; category: string; sales: number }>(
  rows: Iterable<R>,
  length: number,
  at: (r: R) => number,
): Map<string, Float64Array> {
  const byKey = new Map<string, Float64Array>();
  for (const r of rows) {
    const k = `${r.store_id}\u0000${r.category}`;
    let a = byKey.get(k);
    if (!a) byKey.set(k, a = new Float64Array(length));
    a[at(r)] += r.sales;
  }
  return byKey;
}

function addTotals(byKey: Map<string, Float64Array>, length: number) {
  const totals = new Map<string, Float64Array>();
  const get = (k: string) => {
    let a = totals.get(k);
    if (!a) totals.set(k, a = new Float64Array(length));
    return a;
  };
  for (const [key, values] of byKey) {
    const store = key.split("\u0000")[0];
    const s = get(`${store}\u0000*`), c = get(`*\u0000*`);
    for (let i = 0; i < length; i++) {
      s[i] += values[i];
      c[i] += values[i];
    }
  }
  for (const [k, v] of totals) byKey.set(k, v);
}

function toSet(
  byKey: Map<string, Float64Array>,
  start: number,
  length: number,
  stepMs: number,
  timezones: Map<string, string>,
): SeriesSet {
  addTotals(byKey, length);
  const series = [...byKey].map(([k, values]) => {
    const [store, category] = k.split("\u0000");
    return { store, category, values };
  }).sort((a, b) =>
    a.store < b.store ? -1 : a.store > b.store ? 1 : a.category < b.category ? -1 : 1
  );
  return { start, length, stepMs, series, timezones };
}

/**
 * Hourly sales from `rollup_hour` for buckets in [from, to) (hour-aligned), zeros where no bucket
 * exists (no sales). Only category rows are read; totals are summed here.
 */
export async function loadHourly(sql: Sql, from: number, to: number): Promise<SeriesSet> {
  const start = Math.floor(from / HOUR_MS) * HOUR_MS;
  const length = Math.max(0, Math.ceil((to - start) / HOUR_MS));
  const rows = await sql<{ store_id: string; category: string; h: number; sales: number }[]>`
    select store_id, category,
           ((extract(epoch from bucket) * 1000)::bigint - ${start}) / ${HOUR_MS} as h,
           sales_cents as sales
    from rollup_hour
    where store_id <> '*' and category <> '*'
      and bucket >= ${new Date(start)} and bucket < ${new Date(start + length * HOUR_MS)}`;
  const byKey = denseByKey(rows, length, (r) => Number(r.h));
  return toSet(byKey, start, length, HOUR_MS, await loadTimezones(sql));
}

/**
 * Daily sales from `rollup_day` for local days in [fromDay, toDay) ('YYYY-MM-DD'); steps are
 * dates, `start` is fromDay at 00:00 UTC.
 */
export async function loadDaily(sql: Sql, fromDay: string, toDay: string): Promise<SeriesSet> {
  const start = Date.parse(`${fromDay}T00:00:00Z`);
  const length = Math.max(0, Math.round((Date.parse(`${toDay}T00:00:00Z`) - start) / DAY_MS));
  const rows = await sql<{ store_id: string; category: string; d: number; sales: number }[]>`
    select store_id, category, (day - ${fromDay}::date) as d, sales_cents as sales
    from rollup_day
    where store_id <> '*' and category <> '*' and day >= ${fromDay}::date and day < ${toDay}::date`;
  const byKey = denseByKey(rows, length, (r) => Number(r.d));
  return toSet(byKey, start, length, DAY_MS, await loadTimezones(sql));
}

/** First and last hour bucket in `rollup_hour` (epoch ms), or null when empty. */
export async function hourlyRange(sql: Sql): Promise<{ from: number; to: number } | null> {
  const [r] = await sql`select min(bucket) as lo, max(bucket) as hi from rollup_hour
                        where store_id <> '*' and category <> '*'`;
  if (!r?.lo) return null;
  return { from: new Date(r.lo).getTime(), to: new Date(r.hi).getTime() + HOUR_MS };
}
