import assert from "node:assert/strict";
import { backlog, backlogByFamily, publish, streamOf } from "./producer.ts";
import { decodeEvent, type PosEvent, validateEvent } from "../lib/events.ts";
import { partitionOf, WORKER_GROUP } from "../lib/keys.ts";
import { testRuntime } from "../lib/testing/services.ts";

const NOW = Date.parse("2026-11-25T12:00:00Z");

function sale(store: string, tx: string): PosEvent {
  const v = validateEvent({
    type: "sale",
    transaction_id: tx,
    store_id: store,
    register_id: "r1",
    timestamp: "2026-11-25T11:00:00Z",
    currency: "EUR",
    payment: "card",
    lines: [{ sku: "A", category: "food", quantity: 2, unit_price: "1.50" }],
    total: "3.00",
  }, { now: NOW });
  if (!v.ok) throw new Error(v.error);
  return v.event;
}

Deno.test("producer - publish writes each event to its family's partition, in order", async () => {
  await using rt = await testRuntime("producer_publish");
  const events: PosEvent[] = [
    sale("s1", "t1"),
    sale("s2", "t2"),
    sale("s1", "t3"),
    {
      type: "customer",
      kind: "signup",
      customer_id: "c9",
      timestamp: "2026-11-25T11:00:00Z",
      ts: 1,
    },
    {
      type: "inventory",
      kind: "count",
      event_id: "i1",
      store_id: "s2",
      sku: "A",
      quantity: 5,
      timestamp: "2026-11-25T11:00:00Z",
      ts: 1,
    },
  ];
  const ids = await publish(rt, events);
  assert.equal(ids.length, 5);
  const s1 = rt.keys.stream("sales", partitionOf("s1", rt.partitions));
  assert.equal(streamOf(rt, events[0]), s1);
  assert.equal(
    streamOf(rt, events[3]),
    rt.keys.stream("customers", partitionOf("c9", rt.partitions)),
  );
  const entries = await rt.redis.xrange(s1, "-", "+");
  const txs = entries.map(([, f]) => decodeEvent(f[1])).map((d) =>
    d.ok && d.event.type === "sale" ? d.event.transaction_id : "?"
  );
  assert.deepEqual(txs.filter((t) => t !== "t2"), ["t1", "t3"]);
  const inv = await rt.redis.xrange(streamOf(rt, events[4]), "-", "+");
  assert.equal(inv.length, 1);
  assert.deepEqual(inv[0][1][0], "e");
});

Deno.test("producer - backlog counts XLEN before the group exists, then lag + pending", async () => {
  await using rt = await testRuntime("producer_backlog");
  assert.equal(await backlog(rt), 0);
  await publish(rt, Array.from({ length: 10 }, (_, i) => sale("s1", `t${i}`)));
  assert.equal(await backlog(rt, "sales"), 10);
  assert.equal(await backlog(rt, "inventory"), 0);
  const stream = rt.keys.stream("sales", partitionOf("s1", rt.partitions));
  await rt.redis.xgroup("CREATE", stream, WORKER_GROUP, "0");
  assert.equal(await backlog(rt, "sales"), 10);
  // Deliver 4: they stay pending until acknowledged.
  const read = await rt.redis.xreadgroup(
    "GROUP",
    WORKER_GROUP,
    "w1",
    "COUNT",
    4,
    "STREAMS",
    stream,
    ">",
  ) as [string, [string, string[]][]][];
  assert.equal(await backlog(rt, "sales"), 10);
  await rt.redis.xack(stream, WORKER_GROUP, ...read[0][1].map(([id]) => id));
  assert.equal(await backlog(rt, "sales"), 6);
  assert.deepEqual(await backlogByFamily(rt), { sales: 6, inventory: 0, customers: 0 });
  // Deleting an undelivered entry makes Redis report lag as nil: estimated from the counters.
  const ahead = await rt.redis.xrange(stream, "-", "+");
  await rt.redis.xdel(stream, ahead[ahead.length - 1][0]);
  const info = await rt.redis.call("XINFO", "GROUPS", stream) as unknown[][];
  assert.equal(info[0][info[0].indexOf("lag") + 1], null);
  assert.equal(await backlog(rt, "sales"), 6); // 5 left, counted as 6: an upper bound
});

Deno.test("producer - large and concurrent batches keep input order per call", async () => {
  await using rt = await testRuntime("producer_large");
  const big = Array.from({ length: 4500 }, (_, i) => sale("s1", `b${i}`));
  const small = Array.from({ length: 3 }, (_, i) => sale("s2", `c${i}`));
  const [bigIds, smallIds, none] = await Promise.all([
    publish(rt, big),
    publish(rt, small),
    publish(rt, []),
  ]);
  assert.equal(bigIds.length, 4500);
  assert.equal(smallIds.length, 3);
  assert.deepEqual(none, []);
  const s1 = rt.keys.stream("sales", partitionOf("s1", rt.partitions));
  const s1Ids = (await rt.redis.xrange(s1, "-", "+")).map(([id]) => id);
  // Every id returned for the big batch is in its stream, in the order the events were given.
  const mine = new Set(bigIds);
  assert.deepEqual(s1Ids.filter((id) => mine.has(id)), bigIds);
});

Deno.test("producer - a batch Redis refuses is rejected with the reason", async () => {
  await using rt = await testRuntime("producer_refused");
  const stream = rt.keys.stream("sales", partitionOf("s1", rt.partitions));
  await rt.redis.set(stream, "not a stream");
  await assert.rejects(
    publish(rt, [sale("s1", "t1")]),
    /^Error: Redis did not take the events \(.*WRONGTYPE.*\); resend the batch$/,
  );
  await rt.redis.del(stream);
  assert.equal((await publish(rt, [sale("s1", "t1")])).length, 1);
});

Deno.test("producer - one caller's failure does not fail another caller's batch", async () => {
  await using rt = await testRuntime("producer_isolated");
  const bad = rt.keys.stream("sales", partitionOf("s1", rt.partitions));
  const otherStore = ["s2", "s3", "s4", "s5", "s6"].find((s) =>
    partitionOf(s, rt.partitions) !== partitionOf("s1", rt.partitions)
  )!;
  await rt.redis.set(bad, "not a stream");
  // The first call occupies the connection, so the next two are sent together in one batch.
  const [first, a, b] = await Promise.allSettled([
    publish(rt, [sale(otherStore, "t0")]),
    publish(rt, [sale("s1", "t1")]),
    publish(rt, [sale(otherStore, "t2")]),
  ]);
  assert.equal(first.status, "fulfilled");
  assert.equal(a.status, "rejected");
  assert.equal(b.status, "fulfilled");
  // An event that cannot even be encoded is refused, never left waiting.
  const circular = sale("s1", "t3") as PosEvent & { self?: unknown };
  circular.self = circular;
  await assert.rejects(publish(rt, [circular]), /Redis did not take the events \(.*circular/i);
});
