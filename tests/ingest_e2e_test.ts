import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { fixedClock } from "../lib/clock.ts";
import { addStore } from "../lib/stores.ts";
import { createKey } from "../lib/connector_keys.ts";
import { handleEvents } from "../ingest/http.ts";
import { runWorkers } from "../pipeline/worker.ts";
import { drained } from "./pipeline_helpers.ts";
import { encodeEvent, validateEvent } from "../lib/events.ts";
import { streamOf } from "../ingest/producer.ts";
import { deadLetter, listDeadLetters, replayAll, replayDeadLetter } from "../ingest/dlq.ts";

const NOW = "2026-11-25T12:00:00Z";

function receipt(i: number) {
  return {
    type: "sale",
    transaction_id: `R-${i}`,
    store_id: i % 2 ? "lyon" : "paris",
    register_id: "r1",
    timestamp: new Date(Date.parse(NOW) - (i + 1) * 60_000).toISOString(),
    currency: "EUR",
    payment: "card",
    lines: [{ sku: `S${i % 3}`, category: "bakery", quantity: 2, unit_price: "1.25" }],
    total: "2.50",
  };
}

Deno.test("ingest e2e - receipts resent over HTTP are counted once", async () => {
  await using rt = await testRuntime("ingest_resend", { clock: fixedClock(NOW) });
  for (const id of ["paris", "lyon"]) {
    await addStore(rt.sql, { id, name: id, timezone: "Europe/Paris", currency: "EUR" });
  }
  const { key } = await createKey(rt.sql, { name: "pos" });
  const post = (events: unknown[], type = "application/json") =>
    handleEvents(
      new Request("http://x/api/v1/events", {
        method: "POST",
        body: type === "application/json"
          ? JSON.stringify(events)
          : events.map((e) => JSON.stringify(e)).join("\n"),
        headers: { "content-type": type, authorization: `Bearer ${key}` },
      }),
      rt,
    );
  const all = Array.from({ length: 20 }, (_, i) => receipt(i));
  assert.equal((await post(all)).status, 202);
  // A connector that timed out resends everything, then half again as NDJSON.
  assert.equal((await post(all)).status, 202);
  assert.equal((await post(all.slice(0, 10), "application/x-ndjson")).status, 202);

  const controller = new AbortController();
  const workers = runWorkers(rt, {
    signal: controller.signal,
    consumers: 1,
    maintenanceEveryMs: 0,
  });
  try {
    await drained(rt);
  } finally {
    controller.abort();
    await workers;
  }
  const [{ receipts, cents }] = await rt.sql`select count(*)::int receipts,
    coalesce(sum(total_cents), 0)::int8 cents from receipts`;
  assert.equal(receipts, 20);
  assert.equal(cents, 20 * 250);
  const [{ sales, transactions }] = await rt.sql`select coalesce(sum(sales_cents), 0)::int8 sales,
    coalesce(sum(transactions), 0)::int8 transactions from rollup_day
    where store_id = '*' and category = '*'`;
  assert.equal(transactions, 20);
  assert.equal(sales, 20 * 250);
});

Deno.test("ingest e2e - a dead letter replayed after its cause is fixed is processed once", async () => {
  await using rt = await testRuntime("ingest_replay", { clock: fixedClock(NOW) });
  await addStore(rt.sql, { id: "paris", name: "Paris", timezone: "Europe/Paris", currency: "EUR" });
  const v = validateEvent(receipt(0), { now: Date.parse(NOW) });
  assert.ok(v.ok);
  const stream = streamOf(rt, v.event);
  // As a worker records an entry it gave up on (say, while PostgreSQL was down).
  const id = await deadLetter(rt, {
    reason: "database unavailable",
    stream,
    id: "1-0",
    payload: encodeEvent(v.event),
  });
  const controller = new AbortController();
  const workers = runWorkers(rt, {
    signal: controller.signal,
    consumers: 1,
    maintenanceEveryMs: 0,
  });
  try {
    await replayDeadLetter(rt, id);
    await replayAll(rt); // nothing left: replaying again is a no-op
    await drained(rt);
  } finally {
    controller.abort();
    await workers;
  }
  assert.deepEqual(await listDeadLetters(rt), []);
  const rows = await rt.sql`select transaction_id, total_cents from receipts`;
  assert.deepEqual(rows.map((r) => [r.transaction_id, r.total_cents]), [["R-0", 250]]);
});
