/**
 * Micro-benchmarks of the series store and the sales query's two sides:
 *   deno bench -A pipeline/series_bench.ts
 * Uses a private key prefix and database. Deno.bench has no async teardown, so the database and
 * keys left by the previous run are removed at the next start. Run
 * briefly; the lead records final figures in docs/benchmarks.md.
 */
import { TEST_DATABASE_URL, TEST_REDIS_URL, testRuntime } from "../lib/testing/services.ts";
import { connectRedis, deleteByPrefix } from "../lib/redis.ts";
import { connect } from "../lib/db.ts";
import { fixedClock } from "../lib/clock.ts";
import { type BucketValue, createSeriesStore, emptyBucket } from "./series.ts";
import { salesBuckets } from "./query.ts";

const T0 = Date.UTC(2026, 10, 25, 0, 0);
const MIN = 60_000;
const admin = connect(TEST_DATABASE_URL, { max: 1 });
for (
  const { datname }
    of await admin`select datname from pg_database where datname like 'ts_test_series_bench%'`
) {
  await admin`drop database if exists ${admin(datname)} with (force)`;
}
await admin.end();
// Nor is the key prefix of the previous run (the unload handler cannot wait for the deletes).
const sweeper = connectRedis(TEST_REDIS_URL, { name: "series-bench" });
await deleteByPrefix(sweeper, "ts_test:series_bench_");
sweeper.disconnect();
const rt = await testRuntime("series_bench", { clock: fixedClock(T0 + 47 * 3_600_000) });
const store = createSeriesStore(rt);
globalThis.addEventListener("unload", () => void rt.r[Symbol.asyncDispose]());

// A worker batch touching 1,000 buckets: 50 stores x 10 categories x 2 minutes.
let round = 0;
function batch(): BucketValue[] {
  round++;
  const out: BucketValue[] = [];
  for (let s = 0; s < 50; s++) {
    for (let c = 0; c < 10; c++) {
      for (let m = 0; m < 2; m++) {
        out.push({
          ...emptyBucket("minute", `S${s}`, `c${c}`, T0 + m * MIN),
          sales_cents: round,
          transactions: 1,
        });
      }
    }
  }
  return out;
}

// One series with 48 h of minute buckets in Redis and in PostgreSQL.
const day: BucketValue[] = [];
for (let i = 0; i < 2880; i++) {
  day.push({ ...emptyBucket("minute", "Q", "*", T0 + i * MIN), sales_cents: i, transactions: 1 });
}
await store.write(day);
await rt.sql`insert into rollup_minute (store_id, category, bucket, sales_cents, transactions)
  select 'Q', '*', to_timestamp(${T0 / 1000}) + make_interval(mins => g), g, 1
  from generate_series(0, 2879) g`;
const q = {
  interval: "minute" as const,
  store_id: "Q",
  category: "*",
  from: T0,
  to: T0 + 2879 * MIN,
};

Deno.bench(`series (${store.kind}) - write a batch of 1,000 buckets (500 series)`, async () => {
  await store.write(batch());
});
Deno.bench(`series (${store.kind}) - range of 2,880 minute buckets`, async () => {
  await store.range({ ...q, resolution: "minute" });
});
Deno.bench("sales query - 2,880 dense minute buckets from Redis", async () => {
  await salesBuckets(rt, q, { source: "redis", store });
});
Deno.bench("sales query - 2,880 dense minute buckets from PostgreSQL", async () => {
  await salesBuckets(rt, q, { source: "postgres", store });
});
