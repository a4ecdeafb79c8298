import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { fixedClock } from "../lib/clock.ts";
import { encodeEvent } from "../lib/events.ts";
import { publish, streamOf } from "../ingest/producer.ts";
import { listDeadLetters } from "../ingest/dlq.ts";
import { runWorkers } from "../pipeline/worker.ts";
import { expectedTotals, makeReceipts, seedStores } from "./pipeline_fixtures.ts";
import { drained, pgTotals, redisTotals } from "./pipeline_helpers.ts";

const START = Date.parse("2026-11-24T20:00:00Z");

Deno.test("pipeline - poison entries go to the DLQ and their partition keeps flowing", async () => {
  await using rt = await testRuntime("pipe_poison", { clock: fixedClock(START + 86_400_000) });
  await seedStores(rt.sql);
  const receipts = makeReceipts({ count: 400, start: START, stores: ["paris-01"] });
  const stream = streamOf(rt, receipts[0]);
  // A total PostgreSQL cannot store (passes the worker's shape check, fails in the
  // transaction) and a payload that is not JSON, in the middle of the partition.
  const huge = { ...receipts[0], transaction_id: "huge", total_cents: 1e20 };
  await publish(rt, receipts.slice(0, 200));
  await rt.redis.xadd(stream, "*", "e", encodeEvent(huge));
  await rt.redis.xadd(stream, "*", "e", "{not json");
  await publish(rt, receipts.slice(200));
  const controller = new AbortController();
  const worker = runWorkers(rt, {
    signal: controller.signal,
    consumers: 1,
    batch: 1000,
    maintenanceEveryMs: 0,
  });
  try {
    await drained(rt);
    const exp = expectedTotals(receipts);
    assert.equal((await pgTotals(rt, "hour")).sales_cents, exp.sales_cents);
    assert.equal(
      (await redisTotals(rt, "hour", START - 86_400_000, START + 86_400_000)).sales_cents,
      exp.sales_cents,
    );
    const dead = await listDeadLetters(rt, { limit: 10 });
    assert.equal(dead.length, 2);
    const reasons = dead.map((d) => d.reason).sort();
    assert.match(reasons[0], /^PostgreSQL refused this entry 3 times: .*out of range/);
    assert.match(reasons[1], /^cannot decode: payload is not valid JSON/);
    assert.ok(dead.every((d) => d.stream === stream));
    assert.equal(dead.find((d) => d.reason.startsWith("cannot"))!.payload, "{not json");
  } finally {
    controller.abort();
    await worker;
  }
});
