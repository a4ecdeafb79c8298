import assert from "node:assert/strict";
import { applyEvents, COMPACT_BELOW, type DecodedEntry } from "./apply.ts";
import { compactOnce, runCompactor } from "./compact.ts";
import { parseLiveUpdate } from "./live_updates.ts";
import { dayBucket } from "./rollup.ts";
import { fixedClock, sleep } from "../lib/clock.ts";
import { createSeriesStore, type SeriesStore } from "./series.ts";
import type { Runtime } from "../lib/runtime.ts";
import { testRuntime, waitFor } from "../lib/testing/services.ts";
import type { ReceiptEvent } from "../lib/events.ts";
import {
  expectedByCategory,
  FIXTURE_STORES,
  makeReceipts,
  seedStores,
} from "../tests/pipeline_fixtures.ts";
import {
  assertRegistersExact,
  compacted,
  foldAll,
  pendingRows,
  pgCategoryRows,
  redisCategoryRows,
} from "../tests/pipeline_helpers.ts";

// 22:30 UTC: the receipts cross midnight in some stores' zones and not in others'.
const START = Date.parse("2026-11-24T22:30:00Z");
const HOUR = 3_600_000;
const stores = new Map(FIXTURE_STORES.map((s) => [s.id, s]));
const ctx = { watermarks: new Map<string, number | null>(), stores };
let ids = 0;

/**
 * The hour and day buckets of an expectation: in these tests only the compactor writes Redis
 * (the minute buckets a batch returns go to Redis in pipeline/batch.ts, not run here).
 */
const hoursDays = <V>(m: Map<string, V>) =>
  new Map([...m].filter(([k]) => !k.includes("|minute:")));

/**
 * Every bucket (store × category, whole-store and chain-wide) and register day in PostgreSQL,
 * and the hours and days in Redis, equal the exact sums of `receipts`.
 */
async function assertFolded(rt: Runtime, series: SeriesStore, receipts: ReceiptEvent[]) {
  const want = expectedByCategory(receipts, { stars: true });
  assert.deepEqual(await pgCategoryRows(rt, { stars: true }), want);
  assert.deepEqual(await redisCategoryRows(series, hoursDays(want).keys()), hoursDays(want));
  await assertRegistersExact(rt, receipts);
}

function entries(events: ReceiptEvent[]): DecodedEntry[] {
  return events.map((event) => ({
    stream: "s",
    id: `${++ids}-0`,
    family: "sales",
    partition: 0,
    payload: JSON.stringify(event),
    event,
  }));
}

Deno.test("compact - hours, days and register days wait in the pending tables, then are folded in once, to the cent", async () => {
  await using rt = await testRuntime("compact_exact");
  await seedStores(rt.sql);
  const series = createSeriesStore(rt);
  const receipts = makeReceipts({ count: 400, start: START, stepMs: 20_000 });
  const first = await applyEvents(
    rt,
    entries([...receipts.slice(0, 200), ...receipts.slice(0, 50)]),
    ctx,
  );
  const second = await applyEvents(rt, entries(receipts.slice(100, 300)), ctx);
  assert.equal(first.pending.length, 2, "one pending row per resolution");
  assert.equal(second.pending.length, 2);
  assert.equal(await pendingRows(rt), 6, "and one row of register days per batch");
  // Before the compaction: the minutes (store × category, store and chain) are there, no hours,
  // days or register days.
  const [before] = await rt.sql`select
      (select count(*)::int from rollup_hour) hours, (select count(*)::int from rollup_day) days,
      (select count(*)::int from register_day) registers,
      (select count(*)::int from rollup_minute where store_id <> '*' and category <> '*') minutes,
      (select count(*)::int from rollup_minute where store_id <> '*' and category = '*') stores,
      (select count(*)::int from rollup_minute where store_id = '*' and category = '*') chain`;
  assert.deepEqual([before.hours, before.days, before.registers], [0, 0, 0]);
  assert.ok(before.minutes > 0 && before.stores > 0 && before.chain > 0);
  assert.ok(
    first.buckets.every((b) => b.resolution === "minute"),
    "a batch's own buckets leave out what the compactor writes",
  );

  const c = await compactOnce(rt, series);
  assert.ok(c);
  assert.deepEqual(
    [...c.folded].sort((a, b) => a - b),
    [...first.pending, ...second.pending].sort((a, b) => a - b),
  );
  assert.equal(await pendingRows(rt), 0);
  await assertFolded(rt, series, receipts.slice(0, 300));
  const folded = hoursDays(expectedByCategory(receipts.slice(0, 300), { stars: true }));
  assert.equal(c.buckets.length, folded.size, "every folded bucket goes to Redis once");

  // Nothing pending: a compaction changes nothing.
  const idle = await compactOnce(rt, series);
  assert.deepEqual([idle?.folded, idle?.buckets], [[], []]);

  // New receipts in the same hours add onto the folded rows; replays add nothing.
  await applyEvents(rt, entries(receipts.slice(250)), ctx);
  await compactOnce(rt, series);
  await assertFolded(rt, series, receipts);
});

Deno.test("compact - concurrent compactors fold each delta exactly once", async () => {
  await using rt = await testRuntime("compact_concurrent");
  await seedStores(rt.sql);
  const series = createSeriesStore(rt);
  const receipts = makeReceipts({ count: 600, start: START, stepMs: 10_000, seed: 5 });
  const batches = [receipts.slice(0, 200), receipts.slice(200, 400), receipts.slice(400)];
  const pending: number[] = [];
  const folded: number[] = [];
  // Batches commit while four compactors run at once.
  await Promise.all([
    (async () => {
      for (const b of batches) pending.push(...(await applyEvents(rt, entries(b), ctx)).pending);
    })(),
    ...Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 10; i++) folded.push(...(await compactOnce(rt, series))?.folded ?? []);
    }),
  ]);
  folded.push(...await foldAll(rt, series));
  assert.deepEqual([...folded].sort((a, b) => a - b), [...pending].sort((a, b) => a - b));
  await assertFolded(rt, series, receipts);
});

Deno.test("compact - a failed Redis write rolls the compaction back; the deltas are folded later, once", async () => {
  await using rt = await testRuntime("compact_redis_down");
  await seedStores(rt.sql);
  const receipts = makeReceipts({ count: 200, start: START, stepMs: 20_000, seed: 9 });
  await applyEvents(rt, entries(receipts), ctx);
  const down = rt.redis.duplicate({ enableOfflineQueue: false, lazyConnect: true });
  down.on("error", () => {});
  await assert.rejects(compactOnce(rt, createSeriesStore({ ...rt, redis: down })));
  assert.equal(await pendingRows(rt), 3, "the deltas are still pending");
  const [{ n, registers }] = await rt.sql`select count(*)::int n,
      (select count(*)::int from register_day) registers
    from rollup_hour where store_id <> '*' and category <> '*'`;
  assert.deepEqual([n, registers], [0, 0], "and nothing was added to the rollups");
  const series = createSeriesStore(rt);
  await compactOnce(rt, series);
  await assertFolded(rt, series, receipts);
});

Deno.test("compact - the compactor folds within its interval, and once more after the last batch at shutdown", async () => {
  await using rt = await testRuntime("compact_loop", { clock: fixedClock(START + 6 * HOUR) });
  await seedStores(rt.sql);
  const series = createSeriesStore(rt);
  const receipts = makeReceipts({ count: 300, start: START, stepMs: 20_000, seed: 11 });
  const ctl = new AbortController();
  let finishLastBatch!: () => void;
  const settled = new Promise<void>((resolve) => finishLastBatch = resolve);
  const seen: number[] = [];
  const running = runCompactor(rt, series, {
    signal: ctl.signal,
    everyMs: 20,
    settled,
    onCompact: (c) => seen.push(...c.folded),
  });
  const a = await applyEvents(rt, entries(receipts.slice(0, 150)), ctx);
  await waitFor(async () => (await pendingRows(rt)) === 0, { what: "the compactor to fold" });
  ctl.abort();
  // A batch in hand commits after shutdown was asked for: the last compaction still folds it.
  const b = await applyEvents(rt, entries(receipts.slice(150)), ctx);
  finishLastBatch();
  await running;
  assert.equal(await pendingRows(rt), 0);
  assert.deepEqual(seen.sort((x, y) => x - y), [...a.pending, ...b.pending].sort((x, y) => x - y));
  await assertFolded(rt, series, receipts);
  // Each compaction announced its whole-store and chain-wide hours and days on live:updates
  // (no receipts): the last value announced for each day is the one committed.
  const announced = new Map<string, number>();
  for (const [, fields] of await rt.redis.xrange(rt.keys.liveUpdates, "-", "+")) {
    const u = parseLiveUpdate(fields)!;
    assert.deepEqual(u.receipts, []);
    for (const x of u.buckets) {
      assert.equal(x.category, "*");
      if (x.resolution === "day") announced.set(`${x.store_id}|${x.bucket}`, x.sales_cents);
    }
  }
  const days = await rt.sql`select store_id, day::text as day, sales_cents from rollup_day
    where category = '*'`;
  assert.deepEqual(
    announced,
    new Map(days.map((d) => [`${d.store_id}|${dayBucket(d.day)}`, Number(d.sales_cents)])),
  );
});

Deno.test("compact - compactors of several processes take turns: one compaction per interval between them, each delta once", async () => {
  await using rt = await testRuntime("compact_turns");
  await seedStores(rt.sql);
  const series = createSeriesStore(rt);
  const receipts = makeReceipts({ count: 3000, start: START, stepMs: 1_500, seed: 19 });
  const applied: ReceiptEvent[] = [];
  const everyMs = 100;
  const ctl = new AbortController();
  let finishFeeding!: () => void;
  const settled = new Promise<void>((resolve) => finishFeeding = resolve);
  const turns: number[] = [];
  const pending: number[] = [];
  const started = Date.now();
  // Three worker processes' compactors, started a third of an interval apart (processes wake
  // out of phase; in phase, the advisory lock alone would make two of them skip), while batches
  // keep committing, so each turn has deltas to fold.
  const compactors = Array.from({ length: 3 }, async (_, i) => {
    await sleep(i * everyMs / 3);
    await runCompactor(rt, series, {
      signal: ctl.signal,
      everyMs,
      settled,
      onCompact: (c) => turns.push(c.committedAt),
    });
  });
  try {
    for (let i = 0; i < receipts.length && Date.now() - started < 1_200; i += 10) {
      const batch = receipts.slice(i, i + 10);
      pending.push(...(await applyEvents(rt, entries(batch), ctx)).pending);
      applied.push(...batch);
      await sleep(5);
    }
  } finally {
    const elapsed = Date.now() - started;
    ctl.abort();
    finishFeeding();
    await Promise.all(compactors);
    // Consecutive turns start ≥ 80 ms apart by the database's clock (plus each compactor's
    // last fold at shutdown); without turns three compactors fold about three times per 100 ms.
    const most = Math.floor(elapsed / (everyMs * 0.8)) + 1 + 3;
    assert.ok(elapsed >= 1_000, `fed for ${elapsed} ms; the test needs a second or more`);
    assert.ok(
      turns.length >= 3 && turns.length <= most,
      `${turns.length} compactions in ${elapsed} ms: expected 3 to ${most}`,
    );
  }
  const folded = await foldAll(rt, series);
  assert.ok(pending.length > 0);
  assert.equal(await pendingRows(rt), 0);
  assert.ok(folded.length <= pending.length);
  await assertFolded(rt, series, applied);
});

Deno.test("compact - the compactor vacuums rollup_pending itself, so it stays small with autovacuum off", async () => {
  await using rt = await testRuntime("compact_vacuum");
  await seedStores(rt.sql);
  await rt.sql`alter table rollup_pending set (autovacuum_enabled = false)`;
  const series = createSeriesStore(rt);
  const ctl = new AbortController();
  const running = runCompactor(rt, series, { signal: ctl.signal, everyMs: 5, vacuumEveryMs: 50 });
  const receipts = makeReceipts({ count: 1200, start: START, stepMs: 2_000, seed: 13 });
  try {
    for (let i = 0; i < receipts.length; i += 30) {
      await applyEvents(rt, entries(receipts.slice(i, i + 30)), ctx);
      await compacted(rt);
    }
    await waitFor(async () => {
      const [v] = await rt.sql`select vacuum_count::int n from pg_stat_user_tables
        where relname = 'rollup_pending'`;
      return v.n >= 2;
    }, { what: "the compactor to vacuum rollup_pending" });
  } finally {
    ctl.abort();
    await running;
  }
  // 80 rows were written and deleted; vacuumed, the table reuses its pages instead of growing.
  const [{ pages }] = await rt.sql`select pg_relation_size('rollup_pending') / 8192 as pages`;
  assert.ok(Number(pages) < 10, `rollup_pending has ${pages} pages`);
  assert.deepEqual(await pgCategoryRows(rt), expectedByCategory(receipts));
});

Deno.test("compact - a big batch writes its own hours and days, beside queued ones, exactly", async () => {
  await using rt = await testRuntime("compact_big_batch");
  await seedStores(rt.sql);
  const series = createSeriesStore(rt);
  const receipts = makeReceipts({
    count: COMPACT_BELOW + 800,
    start: START,
    stepMs: 700,
    seed: 17,
  });
  const small = receipts.slice(0, 400), big = receipts.slice(400, 400 + COMPACT_BELOW);
  const rest = receipts.slice(400 + COMPACT_BELOW);
  const first = await applyEvents(rt, entries(small), ctx);
  assert.equal(first.pending.length, 2);
  // The big batch commits while compactors fold the small ones' deltas into the same rows.
  const [second] = await Promise.all([
    applyEvents(rt, entries(big), ctx),
    compactOnce(rt, series),
    applyEvents(rt, entries(rest), ctx).then(() => compactOnce(rt, series)),
  ]);
  assert.deepEqual(second.pending, [], "nothing queued");
  assert.ok(
    second.buckets.some((b) => b.resolution === "hour" && b.category !== "*" && b.store_id !== "*"),
  );
  await series.write(second.buckets); // as the worker does after the commit
  await foldAll(rt, series);
  await assertFolded(rt, series, receipts);
});
