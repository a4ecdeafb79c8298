import { invalidateStoreDirectory } from "../lib/stores.ts";
import assert from "node:assert/strict";
import { fixedClock } from "../lib/clock.ts";
import { testRuntime } from "../lib/testing/services.ts";
import { connectRedis } from "../lib/redis.ts";
import type { Sql } from "../lib/db.ts";
import { type BucketValue, createSeriesStore, emptyBucket } from "./series.ts";
import { QueryError, querySales } from "./query.ts";

const NOW = Date.parse("2026-11-25T12:30:00Z");
const MIN = 60_000;
const HOUR = 3_600_000;

async function seedStores(sql: Sql) {
  await sql`insert into stores (id, name, timezone, currency) values
    ('S1', 'Uptown', 'America/New_York', 'USD'),
    ('S2', 'Harbour', 'Europe/Paris', 'USD')`;
}

function value(over: Partial<BucketValue> & Pick<BucketValue, "bucket">): BucketValue {
  return { ...emptyBucket(over.resolution ?? "minute", "S1", "*", 0), ...over };
}

/** The same absolute values in PostgreSQL (rollups) and in Redis, as a worker leaves them. */
async function seedBoth(
  rt: { sql: Sql },
  store: ReturnType<typeof createSeriesStore>,
  values: BucketValue[],
) {
  for (const v of values) {
    const row = {
      store_id: v.store_id,
      category: v.category,
      sales_cents: v.sales_cents,
      transactions: v.transactions,
      units: v.units,
      refunds: v.refunds,
      refund_cents: v.refund_cents,
      discount_cents: v.discount_cents,
      revised: v.revised,
    };
    if (v.resolution === "day") {
      await rt.sql`insert into rollup_day ${
        rt.sql({ ...row, day: new Date(v.bucket).toISOString().slice(0, 10) })
      }`;
    } else {
      const table = v.resolution === "minute" ? "rollup_minute" : "rollup_hour";
      await rt.sql`insert into ${rt.sql(table)} ${rt.sql({ ...row, bucket: new Date(v.bucket) })}`;
    }
  }
  await store.write(values);
}

const q = (params: Record<string, string>) => new URLSearchParams(params);

Deno.test("sales query - Redis and PostgreSQL give the same answer (the seam)", async () => {
  await using rt = await testRuntime("query_seam", { clock: fixedClock(NOW) });
  await seedStores(rt.sql);
  const store = createSeriesStore(rt);
  const t0 = Date.parse("2026-11-25T12:00:00Z");
  await seedBoth(rt, store, [
    value({ bucket: t0, sales_cents: 1001, transactions: 3, units: 5, discount_cents: 50 }),
    value({
      bucket: t0 + 2 * MIN,
      sales_cents: 250,
      transactions: 1,
      units: 1,
      refunds: 1,
      refund_cents: 399,
      revised: 2,
    }),
    value({ bucket: t0 + 2 * MIN, store_id: "*", sales_cents: 9999, transactions: 9 }),
    value({
      bucket: t0 - HOUR,
      resolution: "hour",
      category: "food",
      sales_cents: 123456,
      transactions: 7,
      units: 40,
    }),
    value({
      bucket: Date.UTC(2026, 10, 24),
      resolution: "day",
      sales_cents: 5_000_000_00,
      transactions: 3,
    }),
  ]);
  const cases: Record<string, string>[] = [
    {
      store_id: "S1",
      interval: "minute",
      from: "2026-11-25T12:00:00Z",
      to: "2026-11-25T12:03:30Z",
    },
    { store_id: "*", interval: "minute", from: "2026-11-25T11:58:00Z", to: "2026-11-25T12:02:00Z" },
    {
      store_id: "S1",
      category: "food",
      interval: "hour",
      from: "2026-11-25T06:00:00-05:00",
      to: "2026-11-25T12:00:00Z",
    },
    { store_id: "S1", interval: "day", from: "2026-11-22", to: "2026-11-25" },
  ];
  for (const params of cases) {
    const viaRedis = await querySales(rt, q(params), { source: "redis" });
    const viaPg = await querySales(rt, q(params), { source: "postgres" });
    assert.deepEqual(viaRedis.rows, viaPg.rows, JSON.stringify(params));
    // auto: first from PostgreSQL (Redis not yet known to hold the series), which hydrates it.
    const first = await querySales(rt, q(params));
    const second = await querySales(rt, q(params));
    assert.equal(first.source, "postgres");
    assert.equal(second.source, "redis");
    assert.deepEqual(second.rows, viaPg.rows);
  }
  const { rows, currency } = await querySales(rt, q(cases[0]));
  assert.equal(currency, "USD");
  assert.deepEqual(rows, [
    {
      bucket: "2026-11-25T12:00:00Z",
      sales: "10.01",
      transactions: 3,
      units: 5,
      avg_ticket: "3.34",
      refunds: 0,
      refund_amount: "0.00",
      discounts: "0.50",
      revised: 0,
    },
    {
      bucket: "2026-11-25T12:01:00Z",
      sales: "0.00",
      transactions: 0,
      units: 0,
      avg_ticket: null,
      refunds: 0,
      refund_amount: "0.00",
      discounts: "0.00",
      revised: 0,
    },
    {
      bucket: "2026-11-25T12:02:00Z",
      sales: "2.50",
      transactions: 1,
      units: 1,
      avg_ticket: "2.50",
      refunds: 1,
      refund_amount: "3.99",
      discounts: "0.00",
      revised: 2,
    },
    {
      bucket: "2026-11-25T12:03:00Z",
      sales: "0.00",
      transactions: 0,
      units: 0,
      avg_ticket: null,
      refunds: 0,
      refund_amount: "0.00",
      discounts: "0.00",
      revised: 0,
    },
  ]);
  const days = await querySales(rt, q(cases[3]));
  assert.deepEqual(days.rows.map((r) => [r.bucket, r.sales]), [
    ["2026-11-22", "0.00"],
    ["2026-11-23", "0.00"],
    ["2026-11-24", "5000000.00"],
    ["2026-11-25", "0.00"],
  ]);
});

Deno.test("sales query - a worker's later write shows through Redis; old ranges come from PostgreSQL", async () => {
  await using rt = await testRuntime("query_source", { clock: fixedClock(NOW) });
  await seedStores(rt.sql);
  const store = createSeriesStore(rt);
  const t0 = Date.parse("2026-11-25T12:00:00Z");
  const old = t0 - 72 * HOUR; // beyond the 48 h minute retention
  await seedBoth(rt, store, [value({ bucket: t0, sales_cents: 100, transactions: 1 })]);
  await rt.sql`insert into rollup_minute (store_id, category, bucket, sales_cents, transactions)
               values ('S1', '*', ${new Date(old)}, 700, 2)`;
  const recent = q({
    store_id: "S1",
    interval: "minute",
    from: "2026-11-25T12:00:00Z",
    to: "2026-11-25T12:00:00Z",
  });
  assert.equal((await querySales(rt, recent)).source, "postgres"); // hydrates
  // A worker commits a new absolute value and writes it to Redis.
  await rt
    .sql`update rollup_minute set sales_cents = 300, transactions = 2 where bucket = ${new Date(
    t0,
  )}`;
  await store.write([value({ bucket: t0, sales_cents: 300, transactions: 2 })]);
  const again = await querySales(rt, recent);
  assert.equal(again.source, "redis");
  assert.equal(again.rows[0].sales, "3.00");

  const past = q({
    store_id: "S1",
    interval: "minute",
    from: new Date(old).toISOString(),
    to: new Date(old + MIN).toISOString(),
  });
  const fromPg = await querySales(rt, past);
  assert.equal(fromPg.source, "postgres");
  assert.deepEqual(fromPg.rows.map((r) => r.sales), ["7.00", "0.00"]);
});

Deno.test("sales query - Redis that lost its data is not trusted until re-hydrated", async () => {
  await using rt = await testRuntime("query_flush", { clock: fixedClock(NOW) });
  await seedStores(rt.sql);
  const store = createSeriesStore(rt);
  const t0 = Date.parse("2026-11-25T11:00:00Z");
  await seedBoth(rt, store, [
    value({ bucket: t0, resolution: "hour", sales_cents: 4200, transactions: 6 }),
  ]);
  const params = q({
    store_id: "S1",
    interval: "hour",
    from: "2026-11-25T10:00:00Z",
    to: "2026-11-25T12:00:00Z",
  });
  await querySales(rt, params);
  assert.equal((await querySales(rt, params)).source, "redis");
  // Redis restarts empty (no persistence): series and coverage mark are gone together.
  const keys = await rt.redis.keys(`${rt.keys.prefix}*`);
  await rt.redis.del(...keys);
  const after = await querySales(rt, params);
  assert.equal(after.source, "postgres");
  assert.deepEqual(after.rows.map((r) => r.sales), ["0.00", "42.00", "0.00"]);
  const healed = await querySales(rt, params);
  assert.equal(healed.source, "redis");
  assert.deepEqual(healed.rows, after.rows);
});

Deno.test("sales query - defaults: chain-wide, hourly, last 24 buckets; days in the store's zone", async () => {
  await using rt = await testRuntime("query_defaults", {
    clock: fixedClock("2026-11-25T03:00:00Z"),
  });
  await seedStores(rt.sql);
  await rt.sql`insert into rollup_day (store_id, category, day, sales_cents, transactions)
               values ('S1', '*', '2026-11-24', 1999, 1)`;
  const hourly = await querySales(rt, q({}));
  assert.equal(hourly.query.store_id, "*");
  assert.equal(hourly.rows.length, 24);
  assert.equal(hourly.rows.at(-1)!.bucket, "2026-11-25T03:00:00Z");
  // 03:00 UTC is still the 24th in New York: the last day bucket is the store's local date.
  // The chain's today is the latest local date of its stores (already the 25th in Paris).
  const chainDaily = await querySales(rt, q({ interval: "day" }));
  assert.equal(chainDaily.rows.at(-1)!.bucket, "2026-11-25");
  const daily = await querySales(rt, q({ store_id: "S1", interval: "day" }));
  assert.equal(daily.rows.length, 30);
  assert.deepEqual(daily.rows.at(-1), {
    bucket: "2026-11-24",
    sales: "19.99",
    transactions: 1,
    units: 0,
    avg_ticket: "19.99",
    refunds: 0,
    refund_amount: "0.00",
    discounts: "0.00",
    revised: 0,
  });
});

Deno.test("sales query - bad parameters answer 400/404 with how to fix them", async () => {
  await using rt = await testRuntime("query_errors", { clock: fixedClock(NOW) });
  await seedStores(rt.sql);
  const fails = async (params: Record<string, string>, status: number, pattern: RegExp) => {
    await assert.rejects(querySales(rt, q(params)), (e: unknown) => {
      assert.ok(e instanceof QueryError, String(e));
      assert.equal(e.status, status);
      assert.match(e.message, pattern);
      return true;
    });
  };
  await fails(
    { from: "yesterday" },
    400,
    /from="yesterday" is not a date or time.*e\.g\. from=2026-11-25T14:00:00Z/,
  );
  await fails({ from: "2026-02-30" }, 400, /not a date or time/);
  await fails({ from: "2026-11-25T12:00:00" }, 400, /with a time zone/);
  await fails({ interval: "week" }, 400, /use minute, hour or day/);
  await fails({ interval: "day", from: "2026-11-25T12:00" }, 400, /not a date or time/);
  await fails(
    { from: "2026-11-25T12:00:00Z", to: "2026-11-25T11:00:00Z" },
    400,
    /is after to.*swap them/,
  );
  await fails(
    { interval: "minute", from: "2026-01-01", to: "2026-11-25" },
    400,
    /at most 10000.*interval=hour/,
  );
  await fails({ store_id: "S9" }, 404, /store_id=S9 is not a known store/);
  await fails({ store_id: "bad id!" }, 400, /store_id="bad id!" is not valid/);
  await fails({ category: "" }, 400, /category="" is not valid/);
  const wholeDay = await querySales(
    rt,
    q({ interval: "hour", from: "2026-11-24", to: "2026-11-24" }),
  );
  assert.equal(wholeDay.rows.length, 24);
  assert.equal(wholeDay.rows.at(-1)!.bucket, "2026-11-24T23:00:00Z");
  // A '+' offset sent unescaped arrives as a space and is still understood.
  const ok = await querySales(
    rt,
    q({ interval: "hour", from: "2026-11-25T13:00:00 01:00", to: "2026-11-25T12:00:00Z" }),
  );
  assert.equal(ok.rows[0].bucket, "2026-11-25T12:00:00Z");
  await rt
    .sql`insert into stores (id, name, timezone, currency) values ('S3', 'Ginza', 'Asia/Tokyo', 'JPY')`;
  // Queries read stores through the cached directory (refreshed every few seconds); the fixed
  // clock never ages it, so drop it as another process's refresh would.
  invalidateStoreDirectory(rt);
  await fails({ store_id: "*" }, 400, /mix currencies \(JPY, USD\).*store_id=S001/);
  await rt.sql`insert into rollup_hour (store_id, category, bucket, sales_cents, transactions)
               values ('S3', '*', '2026-11-25T12:00:00Z', 1234, 1)`;
  const yen = await querySales(
    rt,
    q({ store_id: "S3", from: "2026-11-25T12:00:00Z", to: "2026-11-25T12:00:00Z" }),
  );
  assert.equal(yen.currency, "JPY");
  assert.equal(yen.rows[0].sales, "1234");
});

Deno.test("sales query - Redis unreachable: answers come from PostgreSQL without waiting", async () => {
  await using rt = await testRuntime("query_down", { clock: fixedClock(NOW) });
  await seedStores(rt.sql);
  await rt.sql`insert into rollup_minute (store_id, category, bucket, sales_cents, transactions)
               values ('S1', '*', '2026-11-25T12:00:00Z', 500, 1)`;
  const down = connectRedis("redis://127.0.0.1:1"); // nothing listens there
  try {
    // Waiting on the disconnected client would never end: a deadline turns that into a failure.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("the query waited on Redis")), 5000);
    });
    const got = await Promise.race([
      querySales(
        { ...rt, redis: down },
        q({
          store_id: "S1",
          interval: "minute",
          from: "2026-11-25T12:00:00Z",
          to: "2026-11-25T12:01:00Z",
        }),
      ),
      deadline,
    ]).finally(() => clearTimeout(timer));
    assert.equal(got.source, "postgres");
    assert.deepEqual(got.rows.map((r) => r.sales), ["5.00", "0.00"]);
  } finally {
    down.disconnect();
  }
});
