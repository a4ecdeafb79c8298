import assert from "node:assert/strict";
import { testRuntime, waitFor } from "../lib/testing/services.ts";
import { fixedClock } from "../lib/clock.ts";
import { publish } from "../ingest/producer.ts";
import { runWorkers } from "../pipeline/worker.ts";
import { parseLiveUpdate } from "../pipeline/live_updates.ts";
import { expectedTotals, makeReceipts, seedStores } from "./pipeline_fixtures.ts";
import { rng } from "../lib/random.ts";
import { metrics } from "../lib/metrics.ts";
import {
  assertRollupsExact,
  drained,
  pgTotals,
  redisStoreSales,
  redisTotals,
} from "./pipeline_helpers.ts";

const START = Date.parse("2026-11-24T20:00:00Z");
const HOUR = 3_600_000;

function shuffle<T>(xs: T[], seed: number): T[] {
  const r = rng(seed), out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

Deno.test("pipeline - duplicates, shuffled order, refunds and three workers: PG and Redis exact", async () => {
  await using rt = await testRuntime("pipe_exact", { clock: fixedClock(START + 6 * HOUR) });
  const stores = await seedStores(rt.sql);
  const receipts = makeReceipts({ count: 3000, start: START, stepMs: 2_000, refundShare: 0.15 });
  const exp = expectedTotals(receipts);
  const controller = new AbortController();
  const workers = [1, 2, 3].map((i) =>
    runWorkers(rt, {
      signal: controller.signal,
      consumers: 2,
      batch: 300,
      name: `w${i}`,
      maintenanceEveryMs: 0,
      lingerMs: i === 3 ? 15 : 0, // one worker fills small batches with a second read
    })
  );
  const duplicates = async () => (await metrics.duplicateEvents.get()).values[0]?.value ?? 0;
  const duplicatesBefore = await duplicates();
  try {
    // Shuffled, with 20% sent twice, in several publishes while the workers run.
    const sent = shuffle([...receipts, ...receipts.slice(0, 600)], 7);
    for (let i = 0; i < sent.length; i += 400) await publish(rt, sent.slice(i, i + 400));
    await drained(rt);
    assert.equal(await duplicates() - duplicatesBefore, 600, "each resend counted once");
    for (const res of ["minute", "hour", "day"] as const) {
      const pg = await pgTotals(rt, res);
      const want = [
        exp.sales_cents,
        exp.transactions,
        exp.units,
        exp.refunds,
        exp.refund_cents,
        exp.discount_cents,
      ];
      assert.deepEqual(
        [pg.sales_cents, pg.transactions, pg.units, pg.refunds, pg.refund_cents, pg.discount_cents],
        want,
        `PostgreSQL ${res}`,
      );
      const r = await redisTotals(rt, res, START - 2 * 86_400_000, START + 3 * 86_400_000);
      assert.deepEqual(
        [r.sales_cents, r.transactions, r.units, r.refunds, r.refund_cents, r.discount_cents],
        want,
        `Redis ${res}`,
      );
    }
    await assertRollupsExact(rt, receipts);
    const perStore = await redisStoreSales(rt, stores, START - HOUR, START + 3 * HOUR);
    const [pgStore] = await rt.sql`select count(*)::int n from receipts`;
    assert.equal(pgStore.n, 3000);
    assert.equal([...perStore.values()].reduce((a, b) => a + b, 0), exp.sales_cents);
    // The web tier got compact updates with ticker receipts and no customer data.
    const live = await rt.redis.xrange(rt.keys.liveUpdates, "-", "+", "COUNT", 5);
    const u = parseLiveUpdate(live[0][1])!;
    assert.ok(u.buckets.length > 0 && u.receipts.length > 0);
    assert.ok(!JSON.stringify(u.receipts).includes("customer"));
  } finally {
    controller.abort();
    await Promise.all(workers);
  }
});

Deno.test("pipeline - late events correct totals and mark buckets revised", async () => {
  await using rt = await testRuntime("pipe_late", { clock: fixedClock(START + 6 * HOUR) });
  await seedStores(rt.sql);
  const onTime = makeReceipts({ count: 200, start: START, stepMs: 10_000, refundShare: 0 });
  // 30 receipts from 40 minutes before the newest on-time event: behind the 10-minute watermark.
  const newest = Math.max(...onTime.map((r) => r.ts));
  const late = makeReceipts({
    count: 30,
    start: newest - 40 * 60_000,
    stepMs: 1_000,
    prefix: "late",
    seed: 9,
    refundShare: 0,
  });
  const controller = new AbortController();
  const worker = runWorkers(rt, { signal: controller.signal, consumers: 1, maintenanceEveryMs: 0 });
  try {
    await publish(rt, onTime);
    await drained(rt);
    const [[before]] = await rt.redis.xrevrange(rt.keys.liveUpdates, "+", "-", "COUNT", 1);
    await publish(rt, late);
    await drained(rt);
    const exp = expectedTotals([...onTime, ...late]);
    const pg = await pgTotals(rt, "minute");
    assert.equal(pg.sales_cents, exp.sales_cents);
    assert.equal(pg.revised, 30, "each late receipt revises its (closed) chain-wide minute");
    const r = await redisTotals(rt, "minute", START - HOUR, START + 6 * HOUR);
    assert.equal(r.sales_cents, exp.sales_cents);
    assert.equal(r.revised, 30);
    const updates = (await rt.redis.xrange(rt.keys.liveUpdates, `(${before}`, "+"))
      .map(([, f]) => parseLiveUpdate(f)!);
    assert.equal(updates.reduce((a, u) => a + u.late, 0), 30);
    assert.ok(updates.every((u) => u.receipts.every((x) => x.late === true)));
  } finally {
    controller.abort();
    await worker;
  }
});

Deno.test("pipeline - shutdown finishes the batch in hand: nothing left pending", async () => {
  await using rt = await testRuntime("pipe_shutdown", { clock: fixedClock(START + 6 * HOUR) });
  await seedStores(rt.sql);
  const receipts = makeReceipts({ count: 4000, start: START, stepMs: 1_000 });
  await publish(rt, receipts);
  const controller = new AbortController();
  const worker = runWorkers(rt, {
    signal: controller.signal,
    consumers: 2,
    batch: 200,
    maintenanceEveryMs: 0,
  });
  await waitFor(async () => {
    const [{ n }] = await rt.sql`select count(*)::int n from receipts`;
    return n > 0;
  });
  controller.abort();
  await worker;
  let pending = 0;
  for (const s of rt.keys.streams("sales", rt.partitions)) {
    pending += Number((await rt.redis.call("XPENDING", s, "workers") as unknown[])[0]);
  }
  assert.equal(pending, 0, "every delivered entry was committed and acknowledged");
  const [{ n }] = await rt.sql`select count(*)::int n from receipts`;
  assert.ok(n < 4000, "stopped before the end");
  const again = new AbortController();
  const rest = runWorkers(rt, { signal: again.signal, consumers: 1, maintenanceEveryMs: 0 });
  try {
    await drained(rt);
    assert.equal((await pgTotals(rt, "hour")).sales_cents, expectedTotals(receipts).sales_cents);
  } finally {
    again.abort();
    await rest;
  }
});

Deno.test("pipeline - a backlog widens the consumer loops, which narrow after it: totals exact", async () => {
  await using rt = await testRuntime("pipe_widen", { clock: fixedClock(START + 6 * HOUR) });
  await seedStores(rt.sql);
  const backlog = makeReceipts({ count: 3000, start: START, stepMs: 1_000 });
  const after = makeReceipts({ count: 100, start: START + HOUR, stepMs: 1_000, prefix: "after" });
  await publish(rt, backlog);
  const widths: number[] = [];
  const controller = new AbortController();
  const worker = runWorkers(rt, {
    signal: controller.signal,
    consumers: 1,
    maxConsumers: 2,
    batch: 100,
    name: "w",
    maintenanceEveryMs: 0,
    onWidth: (loops) => widths.push(loops),
  });
  try {
    await drained(rt);
    assert.deepEqual(widths.slice(0, 2), [1, 2], "full reads widened the loops");
    // Both loops of the wide generation read: consumers w-0 and w-1 exist next to w.
    const names = new Set<string>();
    for (const s of rt.keys.streams("sales", rt.partitions)) {
      const info = await rt.redis.call("XINFO", "CONSUMERS", s, "workers") as unknown[][];
      for (const c of info) names.add(String(c[1]));
    }
    assert.ok(names.has("w-0") && names.has("w-1"), `consumers: ${[...names].join(", ")}`);
    await waitFor(() => widths.length >= 3, { ms: 15_000, what: "the loops to narrow" });
    assert.deepEqual(widths.slice(0, 3), [1, 2, 1], "narrowed once the backlog was gone");
    await publish(rt, after);
    await drained(rt);
    const exp = expectedTotals([...backlog, ...after]);
    for (const res of ["minute", "hour"] as const) {
      assert.equal((await pgTotals(rt, res)).sales_cents, exp.sales_cents, `PostgreSQL ${res}`);
    }
    const r = await redisTotals(rt, "minute", START - HOUR, START + 6 * HOUR);
    assert.equal(r.sales_cents, exp.sales_cents, "Redis minute");
    assert.equal(r.transactions, exp.transactions);
    const [{ n }] = await rt.sql`select count(*)::int n from receipts`;
    assert.equal(n, 3100);
  } finally {
    controller.abort();
    await worker;
  }
});
