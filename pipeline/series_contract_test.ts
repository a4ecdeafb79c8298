/**
 * One contract for both series stores. The core-Redis store runs on any Redis; the
 * RedisTimeSeries store runs when the test Redis has the module, or against REDIS_TS_URL
 * (e.g. `REDIS_TS_URL=redis://127.0.0.1:6380 deno test -A pipeline/series_contract_test.ts`
 * with `docker run -p 6380:6379 redis:8`). Without either, its cases are reported as ignored.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { connectRedis, hasTimeSeries, type Redis } from "../lib/redis.ts";
import { keysFor } from "../lib/keys.ts";
import { TEST_REDIS_URL } from "../lib/testing/services.ts";
import {
  BUCKETS_PER_CALL,
  type BucketValue,
  emptyBucket,
  RETENTION_MS,
  type SeriesStore,
} from "./series.ts";
import { createCoreSeriesStore } from "./series_core.ts";
import { createTsSeriesStore } from "./series_ts.ts";

const T0 = Date.UTC(2026, 10, 25, 12, 0);
const MIN = 60_000;

function bucket(
  over: Partial<BucketValue> & Pick<BucketValue, "bucket">,
): BucketValue {
  return {
    ...emptyBucket(over.resolution ?? "minute", over.store_id ?? "S1", over.category ?? "*", 0),
    sales_cents: 1000,
    transactions: 2,
    units: 3,
    ...over,
  };
}

/** A store on its own key prefix of `url`, cleaned up on dispose. */
async function storeOn(url: string, make: typeof createCoreSeriesStore) {
  const redis: Redis = connectRedis(url, { name: "test" });
  await redis.ping();
  const prefix = `ts_test:series_${crypto.randomUUID().slice(0, 8)}:`;
  const store = make({ redis, keys: keysFor(prefix) });
  return {
    store,
    async [Symbol.asyncDispose]() {
      const found = await redis.keys(`${prefix}*`);
      if (found.length) await redis.del(...found);
      redis.disconnect();
    },
  };
}

const TS_URL = Deno.env.get("REDIS_TS_URL");
const probe = connectRedis(TEST_REDIS_URL, { name: "test" });
const localHasTs = await hasTimeSeries(probe).finally(() => probe.disconnect());

const targets: { name: string; url: string; make: typeof createCoreSeriesStore; ok: boolean }[] = [
  { name: "core", url: TEST_REDIS_URL, make: createCoreSeriesStore, ok: true },
  { name: "timeseries", url: TEST_REDIS_URL, make: createTsSeriesStore, ok: localHasTs },
  { name: "core@REDIS_TS_URL", url: TS_URL ?? "", make: createCoreSeriesStore, ok: !!TS_URL },
  { name: "timeseries@REDIS_TS_URL", url: TS_URL ?? "", make: createTsSeriesStore, ok: !!TS_URL },
];
if (!localHasTs && !TS_URL) {
  console.warn(
    "series contract: RedisTimeSeries cases skipped — the test Redis has no TimeSeries module. " +
      "Set REDIS_TS_URL to a Redis 8 server to run them, e.g. REDIS_TS_URL=redis://127.0.0.1:6380",
  );
}

type Case = (store: SeriesStore) => Promise<void>;
const cases: Record<string, Case> = {
  "range returns written buckets in order, bounds inclusive": async (s) => {
    await s.write([2, 0, 1, 5].map((i) => bucket({ bucket: T0 + i * MIN, units: i })));
    const got = await s.range({
      resolution: "minute",
      store_id: "S1",
      category: "*",
      from: T0,
      to: T0 + 2 * MIN,
    });
    assert.deepEqual(got.map((b) => [b.bucket, b.units]), [[T0, 0], [T0 + MIN, 1], [
      T0 + 2 * MIN,
      2,
    ]]);
    assert.deepEqual(got[0], bucket({ bucket: T0, units: 0 }));
    const all = await s.range({
      resolution: "minute",
      store_id: "S1",
      category: "*",
      from: -1e12, // before 1970: nothing there, and no error
      to: T0 + 9 * MIN,
    });
    assert.deepEqual(all.map((b) => b.units), [0, 1, 2, 5]);
  },
  "a rewrite updates the bucket: replays never double count": async (s) => {
    const v = bucket({ bucket: T0, sales_cents: 4999, refunds: 1, refund_cents: 250 });
    await s.write([v]);
    await s.write([v]);
    await s.write([{ ...v, sales_cents: 7001, revised: 1 }]);
    const q = { resolution: "minute" as const, store_id: "S1", category: "*", from: T0, to: T0 };
    assert.deepEqual(await s.range(q), [{ ...v, sales_cents: 7001, revised: 1 }]);
  },
  "an older value written after a newer one never takes the bucket back": async (s) => {
    // Two workers commit the same bucket one after the other (values only grow), but their
    // Redis writes arrive in the reverse order.
    const q = { resolution: "minute" as const, store_id: "*", category: "*", from: T0, to: T0 };
    const older = bucket({ bucket: T0, store_id: "*", sales_cents: 5_000, transactions: 2 });
    const newer = {
      ...older,
      sales_cents: 9_999_999_999_999, // beyond 32 bits and Lua's %g: kept digit for digit
      transactions: 3,
      units: 7,
      refunds: 1,
      refund_cents: 120,
      discount_cents: 50,
      revised: 1,
    };
    await s.write([newer]);
    await s.write([older]);
    assert.deepEqual(await s.range(q), [newer]);
    // Each counter keeps its own maximum.
    await s.write([{ ...older, refunds: 4 }]);
    assert.deepEqual(await s.range(q), [{ ...newer, refunds: 4 }]);
  },
  "within one write the larger value of a bucket wins, in either order": async (s) => {
    await s.write([bucket({ bucket: T0, units: 1 }), bucket({ bucket: T0, units: 9 })]);
    await s.write([bucket({ bucket: T0 + MIN, units: 9 }), bucket({ bucket: T0 + MIN, units: 1 })]);
    const got = await s.range({
      resolution: "minute",
      store_id: "S1",
      category: "*",
      from: T0,
      to: T0 + MIN,
    });
    assert.deepEqual(got.map((b) => b.units), [9, 9]);
  },
  "series are separate per resolution, store and category": async (s) => {
    await s.write([
      bucket({ bucket: T0, store_id: "*", category: "*", sales_cents: 1 }),
      bucket({ bucket: T0, store_id: "S1", category: "food", sales_cents: 2 }),
      bucket({ bucket: T0, store_id: "S2", category: "food", sales_cents: 3 }),
      bucket({ bucket: T0, resolution: "hour", store_id: "S1", category: "food", sales_cents: 4 }),
    ]);
    const read = (resolution: "minute" | "hour", store_id: string, category: string) =>
      s.range({ resolution, store_id, category, from: T0, to: T0 }).then((r) =>
        r.map((b) => b.sales_cents)
      );
    assert.deepEqual(await read("minute", "*", "*"), [1]);
    assert.deepEqual(await read("minute", "S1", "food"), [2]);
    assert.deepEqual(await read("minute", "S2", "food"), [3]);
    assert.deepEqual(await read("hour", "S1", "food"), [4]);
    assert.deepEqual(await read("hour", "S2", "*"), []);
  },
  "large money values stay exact to the cent": async (s) => {
    const big = 9_007_199_254_740; // 90 billion in currency units, in cents
    await s.write([bucket({ bucket: T0, resolution: "day", sales_cents: big, refund_cents: 1 })]);
    const [got] = await s.range({
      resolution: "day",
      store_id: "S1",
      category: "*",
      from: T0,
      to: T0,
    });
    assert.equal(got.sales_cents, big);
    assert.equal(got.refund_cents, 1);
  },
  "minute buckets older than the newest minus 48 h are dropped; days are kept": async (s) => {
    assert.equal(s.retentionMs("minute"), RETENTION_MS.minute);
    assert.equal(s.retentionMs("day"), null);
    const keep = RETENTION_MS.minute!;
    await s.write([bucket({ bucket: T0 }), bucket({ bucket: T0 + MIN })]);
    await s.write([bucket({ bucket: T0 + keep + MIN })]); // T0 falls out, T0+1min stays
    await s.write([bucket({ bucket: T0 - MIN })]); // already too old: ignored, no error
    const got = await s.range({
      resolution: "minute",
      store_id: "S1",
      category: "*",
      from: 0,
      to: T0 + 2 * keep,
    });
    assert.deepEqual(got.map((b) => b.bucket), [T0 + MIN, T0 + keep + MIN]);
    const day = 86_400_000;
    await s.write([bucket({ resolution: "day", bucket: T0 - 4000 * day })]);
    await s.write([bucket({ resolution: "day", bucket: T0 })]);
    const days = await s.range({
      resolution: "day",
      store_id: "S1",
      category: "*",
      from: 0,
      to: T0,
    });
    assert.equal(days.length, 2);
  },
  "fill adds missing buckets and never overwrites a written one": async (s) => {
    await s.write([bucket({ bucket: T0 + MIN, sales_cents: 555 })]);
    await s.fill([
      bucket({ bucket: T0, sales_cents: 111 }),
      bucket({ bucket: T0 + MIN, sales_cents: 999 }), // stale copy from PostgreSQL
    ]);
    await s.fill([]);
    const got = await s.range({
      resolution: "minute",
      store_id: "S1",
      category: "*",
      from: T0,
      to: T0 + MIN,
    });
    assert.deepEqual(got.map((b) => b.sales_cents), [111, 555]);
    await s.write([bucket({ bucket: T0, sales_cents: 112 })]);
    const [first] = await s.range({
      resolution: "minute",
      store_id: "S1",
      category: "*",
      from: T0,
      to: T0,
    });
    assert.equal(first.sales_cents, 112);
  },
  "random writes and fills agree with a model of the contract": async (s) => {
    const keep = RETENTION_MS.minute!;
    const op = fc.record({
      fill: fc.boolean(),
      values: fc.array(
        fc.record({ at: fc.integer({ min: 0, max: 120 * 60 }), cents: fc.nat(1_000_000) }),
        { maxLength: 8 },
      ),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
        const store_id = `P${run++}`;
        const model = new Map<number, number>();
        for (const { fill, values } of ops) {
          const batch = values.map((v) => ({ b: T0 + v.at * MIN, cents: v.cents }));
          const newest = Math.max(...model.keys(), ...batch.map((v) => v.b));
          for (const { b, cents } of batch) {
            if (b < newest - keep) continue;
            if (!model.has(b)) model.set(b, cents);
            else if (!fill) model.set(b, Math.max(model.get(b)!, cents));
          }
          for (const b of [...model.keys()]) if (b < newest - keep) model.delete(b);
          const write = batch.map(({ b, cents }) =>
            bucket({ bucket: b, store_id, sales_cents: cents })
          );
          await (fill ? s.fill(write) : s.write(write));
        }
        const got = await s.range({
          resolution: "minute",
          store_id,
          category: "*",
          from: 0,
          to: T0 * 2,
        });
        const want = [...model].sort(([a], [b]) => a - b);
        assert.deepEqual(got.map((v) => [v.bucket, v.sales_cents]), want);
      }),
      { numRuns: 40, seed: 20261125 },
    );
  },
  "a backlog's write, tens of thousands of buckets of one store, lands whole": async (s) => {
    // 40 categories x 2,000 minutes and 5,000 days of one store: more arguments than a single
    // command could carry, and one series longer than BUCKETS_PER_CALL. Before the write was
    // split, this threw "Maximum call stack size exceeded" and the worker retried it forever.
    const day = 86_400_000;
    const values: BucketValue[] = [];
    for (let c = 0; c < 40; c++) {
      for (let m = 0; m < 2_000; m++) {
        values.push(
          bucket({ bucket: T0 + m * MIN, category: `c${c}`, sales_cents: c * 10_000 + m }),
        );
      }
    }
    for (let d = 0; d < 5_000; d++) {
      values.push(bucket({ resolution: "day", bucket: T0 - d * day, sales_cents: d }));
    }
    assert.ok(5_000 > BUCKETS_PER_CALL);
    await s.write(values);
    for (const c of [0, 17, 39]) {
      const got = await s.range({
        resolution: "minute",
        store_id: "S1",
        category: `c${c}`,
        from: 0,
        to: T0 * 2,
      });
      assert.equal(got.length, 2_000, `c${c}`);
      assert.deepEqual(
        got.map((v) => v.sales_cents),
        [...Array(2_000).keys()].map((m) => c * 10_000 + m),
      );
    }
    const days = await s.range({
      resolution: "day",
      store_id: "S1",
      category: "*",
      from: 0,
      to: T0,
    });
    assert.equal(days.length, 5_000);
    assert.equal(days[0].sales_cents, 4_999);
  },
  "empty writes and unknown series are harmless": async (s) => {
    await s.write([]);
    assert.deepEqual(
      await s.range({ resolution: "hour", store_id: "nope", category: "*", from: 0, to: T0 }),
      [],
    );
  },
};

for (const target of targets) {
  for (const [name, run] of Object.entries(cases)) {
    Deno.test({
      name: `series (${target.name}) - ${name}`,
      ignore: !target.ok,
      async fn() {
        await using env = await storeOn(target.url, target.make);
        await run(env.store);
      },
    });
  }
}
