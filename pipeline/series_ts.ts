/**
 * The series store on RedisTimeSeries (Redis 8, or Redis Stack), same contract as
 * `series_core.ts`.
 *
 * One time series per (metric, store, category, resolution), key `ts:{minute|S1|*}:sales_cents`
 * (the hash tag keeps a series' seven metrics in one Cluster slot, so one TS.MADD covers them).
 * Each is created on first use with `DUPLICATE_POLICY MAX` (a rewrite of a bucket keeps the
 * larger value: replays repair, never double count, and since every counter only grows, a
 * write that arrives after a newer one from another worker cannot take the bucket back; TS.MADD
 * has no ON_DUPLICATE, it follows the series' policy), the retention of its resolution, and labels
 * `ns` (the key prefix, or "default"), `metric`, `store`, `category`, `resolution`, so ad-hoc
 * queries work, e.g.
 *   TS.MRANGE - + FILTER ns=default resolution=hour store=S1 metric=sales_cents
 * Reads use TS.RANGE on the known keys: exact, and independent of other deployments' labels.
 */
import type { Redis } from "../lib/redis.ts";
import type { Keys } from "../lib/keys.ts";
import {
  BUCKETS_PER_CALL,
  type BucketValue,
  type Metric,
  METRICS,
  type Resolution,
  RETENTION_MS,
  seriesId,
  type SeriesStore,
} from "./series.ts";

type Reply = [Error | null, unknown][] | null;
type Series = { key: string; v: BucketValue; m: Metric };

const isRetentionError = (e: Error) => /retention/i.test(e.message);
const isBlockPolicy = (e: Error) => /BLOCK|DUPLICATE_POLICY/i.test(e.message);
const isMissingKey = (e: Error) => /does not exist|key not found|not exist/i.test(e.message);

/** Errors inside a pipelined reply, and inside a TS.MADD array reply (one per sample). */
function errorsOf(results: Reply): Error[] {
  const out: Error[] = [];
  for (const [err, value] of results ?? []) {
    if (err) out.push(err);
    if (Array.isArray(value)) { for (const v of value) if (v instanceof Error) out.push(v); }
  }
  return out;
}

/** The RedisTimeSeries series store. */
export function createTsSeriesStore(rt: { redis: Redis; keys: Keys }): SeriesStore {
  const { redis, keys } = rt;
  const ns = keys.prefix || "default";
  const created = new Set<string>();
  const keyOf = (r: Resolution, store: string, category: string, m: Metric) =>
    keys.tsSeries(seriesId(r, store, category), m);

  /** TS.CREATE / TS.ADD options of a series: retention, MAX policy, labels (labels last). */
  function options(v: BucketValue, m: Metric): (string | number)[] {
    // deno-fmt-ignore
    return ["RETENTION", RETENTION_MS[v.resolution] ?? 0, "DUPLICATE_POLICY", "MAX",
      "LABELS", "ns", ns, "metric", m, "store", v.store_id, "category", v.category,
      "resolution", v.resolution];
  }

  async function create(series: Series[]): Promise<void> {
    const todo = series.filter((s) => !created.has(s.key));
    if (todo.length === 0) return;
    const pipe = redis.pipeline();
    for (const { key, v, m } of todo) pipe.call("TS.CREATE", key, ...options(v, m));
    const results = (await pipe.exec() as Reply) ?? [];
    const errors = errorsOf(results).filter((e) => !/already exists/i.test(e.message));
    if (errors.length) throw new Error(`TS.CREATE failed: ${errors[0].message}`);
    // Series made before (e.g. with LAST by an older version) get the MAX policy once.
    const existing = todo.filter((_, i) => /already exists/i.test(results[i]?.[0]?.message ?? ""));
    if (existing.length) {
      const alter = redis.pipeline();
      for (const { key } of existing) alter.call("TS.ALTER", key, "DUPLICATE_POLICY", "MAX");
      const failed = errorsOf(await alter.exec() as Reply);
      if (failed.length) throw new Error(`TS.ALTER failed: ${failed[0].message}`);
    }
    for (const { key } of todo) created.add(key);
  }

  /** Writes with TS.MADD (the series' MAX policy) or, to fill, TS.ADD ON_DUPLICATE FIRST. */
  async function put(
    values: BucketValue[],
    keepExisting: boolean,
  ): Promise<{ errors: Error[]; series: Series[] }> {
    const bySeries = new Map<string, { first: BucketValue; args: (string | number)[] }>();
    const series: Series[] = [];
    for (const v of values) {
      const id = seriesId(v.resolution, v.store_id, v.category);
      let args = bySeries.get(id)?.args;
      if (!args) {
        bySeries.set(id, { first: v, args: args = [] });
        for (const m of METRICS) {
          series.push({ key: keyOf(v.resolution, v.store_id, v.category, m), v, m });
        }
      }
      for (const m of METRICS) {
        args.push(keyOf(v.resolution, v.store_id, v.category, m), v.bucket, v[m]);
      }
    }
    await create(series);
    const pipe = redis.pipeline();
    for (const { first, args } of bySeries.values()) {
      if (!keepExisting) {
        // In slices of BUCKETS_PER_CALL samples (key, time, value each): a backlog can give one
        // series thousands of buckets, more arguments than one JavaScript call can spread.
        for (let i = 0; i < args.length; i += 3 * BUCKETS_PER_CALL) {
          pipe.call("TS.MADD", ...args.slice(i, i + 3 * BUCKETS_PER_CALL));
        }
      } else {
        for (let i = 0; i < args.length; i += 3) {
          // Full creation options: should the key have vanished, TS.ADD recreates it properly.
          const [ret, r, dup, last, ...labels] = options(first, METRICS[(i / 3) % METRICS.length]);
          // deno-fmt-ignore
          pipe.call("TS.ADD", args[i], args[i + 1], args[i + 2], ret, r, dup, last,
            "ON_DUPLICATE", "FIRST", ...labels);
        }
      }
    }
    // A sample older than the series' newest minus its retention is rejected by the server;
    // the contract drops it, so that error is expected and ignored.
    const errors = errorsOf(await pipe.exec() as Reply).filter((e) => !isRetentionError(e));
    return { errors, series };
  }

  async function putRetrying(values: BucketValue[], keepExisting: boolean): Promise<void> {
    if (values.length === 0) return;
    let { errors, series } = await put(values, keepExisting);
    if (errors.some(isMissingKey)) {
      // Keys vanished since we created them (FLUSHALL, restart without persistence).
      created.clear();
      ({ errors, series } = await put(values, keepExisting));
    }
    if (errors.some(isBlockPolicy)) {
      // A key made by someone else (or auto-created) refuses rewrites: give it our policy.
      const pipe = redis.pipeline();
      for (const { key } of series) pipe.call("TS.ALTER", key, "DUPLICATE_POLICY", "MAX");
      await pipe.exec();
      ({ errors } = await put(values, keepExisting));
    }
    if (errors.length) throw new Error(`RedisTimeSeries write failed: ${errors[0].message}`);
  }

  return {
    kind: "timeseries",
    write: (values) => putRetrying(values, false),
    fill: (values) => putRetrying(values, true),
    async range(q) {
      // Sample timestamps are unsigned: nothing lies before 1970, and TS.RANGE refuses < 0.
      const from = Math.max(0, q.from);
      if (q.to < from) return [];
      const pipe = redis.pipeline();
      for (const m of METRICS) {
        pipe.call("TS.RANGE", keyOf(q.resolution, q.store_id, q.category, m), from, q.to);
      }
      // The newest sample bounds what retention keeps; expired samples may linger in a chunk.
      pipe.call("TS.GET", keyOf(q.resolution, q.store_id, q.category, "sales_cents"));
      const results = (await pipe.exec() as Reply) ?? [];
      const hard = errorsOf(results).filter((e) => !isMissingKey(e));
      if (hard.length) throw new Error(`TS.RANGE failed: ${hard[0].message}`);
      const last = results[METRICS.length]?.[1] as [number | string, string] | [] | null;
      const retention = RETENTION_MS[q.resolution];
      const floor = retention && last && last.length ? Number(last[0]) - retention : -Infinity;
      const byBucket = new Map<number, BucketValue>();
      METRICS.forEach((m, i) => {
        const samples = (results[i]?.[1] ?? []) as [number | string, string][];
        for (const [ts, value] of samples) {
          const bucket = Number(ts);
          if (bucket < floor) continue;
          let row = byBucket.get(bucket);
          if (!row) {
            row = {
              resolution: q.resolution,
              store_id: q.store_id,
              category: q.category,
              bucket,
            } as BucketValue;
            for (const k of METRICS) row[k] = 0;
            byBucket.set(bucket, row);
          }
          row[m] = Number(value);
        }
      });
      return [...byBucket.values()].sort((a, b) => a.bucket - b.bucket);
    },
    retentionMs: (resolution) => RETENTION_MS[resolution],
  };
}
