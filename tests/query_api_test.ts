/**
 * The query API and /metrics through the real app (routes, middleware, error handling), on
 * seeded rollup tables: what an HTTP client sees.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../lib/clock.ts";
import { testRuntime } from "../lib/testing/services.ts";
import { createApp } from "../lib/web/app.ts";

const NOW = "2026-11-25T15:00:00Z";

async function seeded(label: string) {
  const rt = await testRuntime(label, { clock: fixedClock(NOW) });
  await rt.sql`insert into stores (id, name, timezone, currency) values
    ('S1', 'Uptown', 'America/New_York', 'USD'), ('S2', 'Harbour', 'Europe/Paris', 'USD')`;
  return rt;
}

Deno.test("query api - /api/v1/sales answers dense JSON buckets with currency and source", async () => {
  await using rt = await seeded("api_sales");
  await rt
    .sql`insert into rollup_hour (store_id, category, bucket, sales_cents, transactions, units)
    values ('S1', '*', '2026-11-25T13:00:00Z', 12345, 10, 31)`;
  const app = await createApp(rt);
  const url =
    "/api/v1/sales?store_id=S1&interval=hour&from=2026-11-25T12:00:00Z&to=2026-11-25T14:00:00Z";
  const res = await app.request(url);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-currency"), "USD");
  assert.equal(res.headers.get("x-data-source"), "postgres");
  assert.deepEqual(
    (await res.json()).map((
      r: { bucket: string; sales: string; avg_ticket: string | null },
    ) => [r.bucket, r.sales, r.avg_ticket]),
    [
      ["2026-11-25T12:00:00Z", "0.00", null],
      ["2026-11-25T13:00:00Z", "123.45", "12.35"],
      ["2026-11-25T14:00:00Z", "0.00", null],
    ],
  );
  const again = await app.request(url);
  assert.equal(again.headers.get("x-data-source"), "redis");
  await again.body?.cancel();

  const bad = await app.request("/api/v1/sales?interval=minute&from=2020-01-01");
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /Use a coarser interval \(interval=hour\)/);
  const unknown = await app.request("/api/v1/sales?store_id=NOPE");
  assert.equal(unknown.status, 404);
  assert.match((await unknown.json()).error, /not a known store/);
});

Deno.test("query api - /api/v1/top-products ranks a store-local day's SKUs", async () => {
  await using rt = await seeded("api_top");
  await rt.sql`insert into sku_daily (store_id, day, sku, category, units, revenue_cents) values
    ('S1', '2026-11-25', 'A', 'food', 10, 5000), ('S1', '2026-11-25', 'B', 'toys', 2, 9000),
    ('S2', '2026-11-25', 'A', 'food', 5, 2500), ('S1', '2026-11-24', 'C', 'food', 99, 99999)`;
  const app = await createApp(rt);
  const store = await app.request("/api/v1/top-products?store_id=S1&date=2026-11-25");
  assert.equal(store.status, 200);
  assert.equal(store.headers.get("x-date"), "2026-11-25");
  assert.deepEqual(await store.json(), [
    { rank: 1, sku: "B", category: "toys", units: 2, revenue: "90.00" },
    { rank: 2, sku: "A", category: "food", units: 10, revenue: "50.00" },
  ]);
  const chain = await app.request("/api/v1/top-products?date=2026-11-25&by=units&limit=1");
  assert.deepEqual(await chain.json(), [
    { rank: 1, sku: "A", category: "food", units: 15, revenue: "75.00" },
  ]);
  // No date: today in the store's zone (10:00 in New York on the 25th).
  const today = await app.request("/api/v1/top-products?store_id=S1");
  assert.equal(today.headers.get("x-date"), "2026-11-25");
  await today.body?.cancel();
  const bad = await app.request("/api/v1/top-products?limit=1000");
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /from 1 to 100/);
});

Deno.test("query api - /api/v1/inventory joins stock risk when the model has run", async () => {
  await using rt = await seeded("api_inventory");
  await rt.sql`insert into inventory (store_id, sku, on_hand, counted_at, updated_at) values
    ('S1', 'A', 12, '2026-11-25T08:00:00Z', '2026-11-25T09:00:00Z'),
    ('S1', 'B', 0, null, '2026-11-25T09:30:00Z'),
    ('S2', 'A', 40, null, '2026-11-25T10:00:00Z')`;
  await rt.sql`insert into stock_risk (store_id, sku, daily_demand, on_hand, days_of_cover,
    stockout_date, reorder_qty, generated_at)
    values ('S1', 'A', 4, 12, 3, '2026-11-28', 20, '2026-11-25T06:00:00Z')`;
  const app = await createApp(rt);
  const res = await app.request("/api/v1/inventory?store_id=S1");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), [
    {
      store_id: "S1",
      sku: "A",
      on_hand: 12,
      counted_at: "2026-11-25T08:00:00.000Z",
      updated_at: "2026-11-25T09:00:00.000Z",
      risk: {
        daily_demand: 4,
        days_of_cover: 3,
        stockout_date: "2026-11-28",
        reorder_qty: 20,
        generated_at: "2026-11-25T06:00:00.000Z",
      },
    },
    {
      store_id: "S1",
      sku: "B",
      on_hand: 0,
      counted_at: null,
      updated_at: "2026-11-25T09:30:00.000Z",
      risk: null,
    },
  ]);
  const bySku = await app.request("/api/v1/inventory?sku=A");
  assert.deepEqual((await bySku.json()).map((r: { store_id: string }) => r.store_id), ["S1", "S2"]);
  const none = await app.request("/api/v1/inventory");
  assert.equal(none.status, 400);
  assert.match((await none.json()).error, /give store_id, sku or both/);
});

Deno.test("query api - /metrics serves the registry in Prometheus text format", async () => {
  await using rt = await seeded("api_metrics");
  await rt.redis.xadd(rt.keys.dlq, "*", "reason", "bad");
  const app = await createApp(rt);
  const res = await app.request("/metrics");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const body = await res.text();
  assert.match(body, /# TYPE tillstream_pipeline_lag gauge/);
  assert.match(body, /tillstream_pipeline_lag\{family="sales",partition="0"\} 0/);
  assert.match(body, /tillstream_dlq_size 1\n/);
});
