/**
 * The query seam on what the real workers write: receipts through the streams and workers,
 * then every series (chain, store, store x category) at every interval answered from Redis
 * and from PostgreSQL must be identical, bucket by bucket, to the cent.
 */
import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { fixedClock } from "../lib/clock.ts";
import { publish } from "../ingest/producer.ts";
import { runWorkers } from "../pipeline/worker.ts";
import { querySales } from "../pipeline/query.ts";
import { makeReceipts, seedStores } from "./pipeline_fixtures.ts";
import { drained } from "./pipeline_helpers.ts";

const START = Date.parse("2026-11-24T21:00:00Z");
const HOUR = 3_600_000;

Deno.test("query seam - after the workers run, Redis and PostgreSQL answer every series alike", async () => {
  await using rt = await testRuntime("query_seam_e2e", { clock: fixedClock(START + 6 * HOUR) });
  const stores = await seedStores(rt.sql);
  const receipts = makeReceipts({ count: 1500, start: START, stepMs: 10_000, refundShare: 0.1 });
  const controller = new AbortController();
  const workers = runWorkers(rt, {
    signal: controller.signal,
    consumers: 2,
    batch: 250,
    name: "seam",
    maintenanceEveryMs: 0,
  });
  try {
    await publish(rt, receipts);
    await publish(rt, receipts.slice(0, 300)); // resends: must not change anything
    await drained(rt);
  } finally {
    controller.abort();
    await workers;
  }
  const windows = {
    minute: ["2026-11-24T21:00:00Z", "2026-11-25T01:30:00Z"],
    hour: ["2026-11-24T18:00:00Z", "2026-11-25T06:00:00Z"],
    day: ["2026-11-23", "2026-11-26"],
  };
  let compared = 0, nonZero = 0;
  for (const store_id of ["*", ...stores]) {
    for (const category of ["*", "food", "toys"]) {
      for (const [interval, [from, to]] of Object.entries(windows)) {
        const params = new URLSearchParams({ store_id, category, interval, from, to });
        const pg = await querySales(rt, params, { source: "postgres" });
        const redis = await querySales(rt, params, { source: "redis" });
        assert.deepEqual(redis.rows, pg.rows, params.toString());
        compared += pg.rows.length;
        nonZero += pg.rows.filter((r) => r.transactions > 0 || r.refunds > 0).length;
      }
    }
  }
  assert.ok(
    compared === 4320 && nonZero > 1000,
    `compared ${compared} buckets, ${nonZero} with sales`,
  );
  // The chain-wide day totals equal the receipts' own sums.
  const days = await querySales(
    rt,
    new URLSearchParams({ interval: "day", from: "2026-11-23", to: "2026-11-26" }),
  );
  const sales = receipts.filter((r) => r.type === "sale");
  const cents = days.rows.reduce((a, r) => a + Number(r.sales.replace(".", "")), 0);
  assert.equal(cents, sales.reduce((a, r) => a + r.total_cents, 0));
  assert.equal(days.rows.reduce((a, r) => a + r.transactions, 0), sales.length);
});
