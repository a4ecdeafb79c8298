/**
 * Helpers for the end-to-end pipeline tests: waiting until the worker group has acknowledged
 * everything, and reading the totals back from PostgreSQL and from the Redis series store.
 */
import type { Runtime } from "../lib/runtime.ts";
import { FAMILIES, WORKER_GROUP } from "../lib/keys.ts";
import { waitFor } from "../lib/testing/services.ts";
import {
  createSeriesStore,
  METRICS,
  type Resolution,
  type SeriesStore,
} from "../pipeline/series.ts";
import { dayBucket } from "../pipeline/rollup.ts";
import { compactOnce } from "../pipeline/compact.ts";
import {
  type CategoryCounters,
  expectedByCategory,
  expectedByRegister,
  type RegisterCounters,
} from "./pipeline_fixtures.ts";
import type { ReceiptEvent } from "../lib/events.ts";
import assert from "node:assert/strict";

/** Entries not yet acknowledged by the group across every stream (undelivered + pending). */
export async function unfinished(rt: Runtime): Promise<number> {
  let n = 0;
  for (const f of FAMILIES) {
    for (const s of rt.keys.streams(f, rt.partitions)) {
      const len = await rt.redis.xlen(s);
      if (len === 0) continue;
      let groups: unknown[][];
      try {
        groups = await rt.redis.call("XINFO", "GROUPS", s) as unknown[][];
      } catch {
        n += len;
        continue;
      }
      const g = groups.map((flat) => {
        const o: Record<string, unknown> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) o[String(flat[i])] = flat[i + 1];
        return o;
      }).find((x) => x.name === WORKER_GROUP);
      if (!g) n += len;
      else n += Number(g.lag ?? len) + Number(g.pending);
    }
  }
  return n;
}

/**
 * Waits until every entry is acknowledged and the compactor has folded every hour and day delta
 * in (PostgreSQL and Redis): then every bucket holds everything sent.
 */
export async function drained(rt: Runtime, ms = 20_000): Promise<void> {
  await waitFor(async () => (await unfinished(rt)) === 0 && (await pendingRows(rt)) === 0, {
    ms,
    what: "worker group to drain and the compactor to fold",
  });
}

/** Chain-wide totals of one resolution in PostgreSQL. */
export async function pgTotals(rt: Runtime, res: Resolution) {
  const table = { minute: "rollup_minute", hour: "rollup_hour", day: "rollup_day" }[res];
  const [r] = await rt.sql`select coalesce(sum(sales_cents), 0)::int8 sales_cents,
    coalesce(sum(transactions), 0)::int8 transactions, coalesce(sum(units), 0)::int8 units,
    coalesce(sum(refunds), 0)::int8 refunds, coalesce(sum(refund_cents), 0)::int8 refund_cents,
    coalesce(sum(discount_cents), 0)::int8 discount_cents, coalesce(sum(revised), 0)::int8 revised
    from ${rt.sql(table)} where store_id = '*' and category = '*'`;
  return r as Record<(typeof METRICS)[number], number>;
}

/** Chain-wide totals of one resolution in the Redis series store, over [from, to]. */
export async function redisTotals(rt: Runtime, res: Resolution, from: number, to: number) {
  const series = createSeriesStore(rt);
  const buckets = await series.range({ resolution: res, store_id: "*", category: "*", from, to });
  const out = Object.fromEntries(METRICS.map((m) => [m, 0])) as Record<
    (typeof METRICS)[number],
    number
  >;
  for (const b of buckets) for (const m of METRICS) out[m] += b[m];
  return out;
}

/** Sales per store at hour resolution from Redis (every store × '*' series). */
export async function redisStoreSales(rt: Runtime, stores: string[], from: number, to: number) {
  const series = createSeriesStore(rt);
  const out = new Map<string, number>();
  for (const s of stores) {
    const b = await series.range({ resolution: "hour", store_id: s, category: "*", from, to });
    out.set(s, b.reduce((a, x) => a + x.sales_cents, 0));
  }
  return out;
}

const counters = (r: Record<string, unknown>) =>
  Object.fromEntries(
    METRICS.filter((m) => m !== "revised").map((m) => [m, Number(r[m])]),
  ) as CategoryCounters;

/**
 * Store × category rows of every resolution in PostgreSQL, keyed like {@link expectedByCategory}
 * (with `stars`, the whole-store and chain-wide rows too).
 */
export async function pgCategoryRows(
  rt: Pick<Runtime, "sql">,
  { stars = false } = {},
): Promise<Map<string, CategoryCounters>> {
  const which = stars ? rt.sql`true` : rt.sql`store_id <> '*' and category <> '*'`;
  const out = new Map<string, CategoryCounters>();
  for (const res of ["minute", "hour"] as const) {
    const rows = await rt.sql`select store_id, category,
        (extract(epoch from bucket) * 1000)::int8 as ms, * from ${rt.sql(`rollup_${res}`)}
      where ${which}`;
    for (const r of rows) out.set(`${r.store_id}|${r.category}|${res}:${r.ms}`, counters(r));
  }
  const days = await rt.sql`select store_id, category, day::text as d, * from rollup_day
    where ${which}`;
  for (const r of days) out.set(`${r.store_id}|${r.category}|day:${r.d}`, counters(r));
  return out;
}

/** The same buckets read back from the Redis series store. */
export async function redisCategoryRows(
  series: SeriesStore,
  keys: Iterable<string>,
): Promise<Map<string, CategoryCounters>> {
  const out = new Map<string, CategoryCounters>();
  for (const k of keys) {
    const [store_id, category, b] = k.split("|");
    const [resolution, at] = b.split(":") as [Resolution, string];
    const bucket = resolution === "day" ? dayBucket(at) : Number(at);
    const [v] = await series.range({ resolution, store_id, category, from: bucket, to: bucket });
    if (v) out.set(k, counters(v as unknown as Record<string, unknown>));
  }
  return out;
}

/** Deltas not folded in yet (rows of `rollup_pending` and `register_pending`). */
export const pendingRows = async (rt: Pick<Runtime, "sql">) =>
  (await rt.sql`select (select count(*) from rollup_pending)::int
    + (select count(*) from register_pending)::int as n`)[0].n as number;

/**
 * Runs the compactor until nothing is pending and returns the ids of the deltas it folded. Fails,
 * rather than looping forever, if `rounds` compactions leave deltas behind (a fold that lost a
 * table would).
 */
export async function foldAll(
  rt: Pick<Runtime, "sql">,
  series?: SeriesStore,
  rounds = 20,
): Promise<number[]> {
  const folded: number[] = [];
  for (let i = 0; i < rounds; i++) {
    if (!(await pendingRows(rt))) return folded;
    folded.push(...(await compactOnce(rt, series))?.folded ?? []);
  }
  const left = await pendingRows(rt);
  if (left) throw new Error(`${left} deltas still pending after ${rounds} compactions`);
  return folded;
}

/** Waits until the compactor has folded every pending delta in (PostgreSQL and Redis). */
export async function compacted(rt: Pick<Runtime, "sql">, ms = 20_000): Promise<void> {
  await waitFor(async () => (await pendingRows(rt)) === 0, { ms, what: "the compactor to fold" });
}

/** Every row of `register_day`, keyed like {@link expectedByRegister}. */
export async function pgRegisterRows(
  rt: Pick<Runtime, "sql">,
): Promise<Map<string, RegisterCounters>> {
  const rows = await rt.sql`select store_id || '|' || day::text || '|' || register_id as k, *,
    (extract(epoch from last_at) * 1000)::int8 as last_ms from register_day`;
  return new Map(rows.map((r) => [r.k, {
    transactions: Number(r.transactions),
    sales_cents: Number(r.sales_cents),
    refunds: Number(r.refunds),
    refund_cents: Number(r.refund_cents),
    last_ms: Number(r.last_ms),
  }]));
}

/** Checks every register day in PostgreSQL against the exact sums of `receipts`. */
export async function assertRegistersExact(
  rt: Pick<Runtime, "sql">,
  receipts: ReceiptEvent[],
): Promise<void> {
  assert.deepEqual(
    await pgRegisterRows(rt),
    expectedByRegister(receipts),
    "PostgreSQL register days",
  );
}

/**
 * Waits for the compactor, then checks every store × category bucket (every resolution) against
 * the exact sums of `receipts` (distinct ones), in PostgreSQL and in Redis, and every register
 * day in PostgreSQL.
 */
export async function assertRollupsExact(
  rt: Pick<Runtime, "sql" | "redis" | "keys" | "timeSeries">,
  receipts: ReceiptEvent[],
): Promise<void> {
  await compacted(rt);
  const want = expectedByCategory(receipts);
  assert.deepEqual(await pgCategoryRows(rt), want, "PostgreSQL store × category buckets");
  const redis = await redisCategoryRows(createSeriesStore(rt), want.keys());
  assert.deepEqual(redis, want, "Redis store × category buckets");
  await assertRegistersExact(rt, receipts);
}
