import assert from "node:assert/strict";
import { applyEvents, type DecodedEntry, KEYS_FIRST_AFTER_RESEND } from "./apply.ts";
import { compactOnce } from "./compact.ts";
import { testDb } from "../lib/testing/services.ts";
import type { PosEvent } from "../lib/events.ts";
import {
  expectedTotals,
  FIXTURE_STORES,
  makeReceipts,
  seedStores,
  stockEvent,
} from "../tests/pipeline_fixtures.ts";
import { rng } from "../lib/random.ts";
import { applyChanges, type StockChange, type StockLevel } from "./inventory.ts";

const START = Date.parse("2026-11-24T22:30:00Z");
const stores = new Map(FIXTURE_STORES.map((s) => [s.id, s]));

function entries(events: PosEvent[], from = 0): DecodedEntry[] {
  return events.map((event, i) => ({
    stream: "s",
    id: `${from + i + 1}-0`,
    family: event.type === "inventory"
      ? "inventory"
      : event.type === "customer"
      ? "customers"
      : "sales",
    partition: 0,
    payload: JSON.stringify(event),
    event,
  }));
}

const ctx = { watermarks: new Map<string, number | null>(), stores };

Deno.test("apply - duplicates within and across batches count once, to the cent", async () => {
  await using db = await testDb("apply_dupes");
  await seedStores(db.sql);
  const receipts = makeReceipts({ count: 300, start: START, stepMs: 20_000 });
  const exp = expectedTotals(receipts);
  const first = await applyEvents(
    db,
    entries([...receipts.slice(0, 200), ...receipts.slice(0, 50)]),
    ctx,
  );
  assert.equal(first.newReceipts.length, 200);
  assert.equal(first.duplicates, 50);
  const second = await applyEvents(db, entries(receipts.slice(100)), ctx);
  assert.equal(second.newReceipts.length, 100);
  assert.equal(second.duplicates, 100);
  const [chain] = await db.sql`select sum(sales_cents)::int8 s, sum(transactions)::int8 t,
    sum(units)::int8 u, sum(refunds)::int8 rf, sum(refund_cents)::int8 rc,
    sum(discount_cents)::int8 d from rollup_minute where store_id = '*' and category = '*'`;
  assert.deepEqual(
    [chain.s, chain.t, chain.u, chain.rf, chain.rc, chain.d],
    [
      exp.sales_cents,
      exp.transactions,
      exp.units,
      exp.refunds,
      exp.refund_cents,
      exp.discount_cents,
    ],
  );
  // Hours and days wait for the compactor.
  const [queued] = await db.sql`select count(*)::int n from rollup_hour`;
  assert.equal(queued.n, 0);
  await compactOnce(db);
  for (const table of ["rollup_hour", "rollup_day"]) {
    const [r] = await db.sql`select sum(sales_cents)::int8 s from ${db.sql(table)}
      where store_id = '*' and category = '*'`;
    assert.equal(r.s, exp.sales_cents, table);
  }
  // Category rows and store rows add up to the same total.
  const [cats] = await db.sql`select sum(sales_cents)::int8 s from rollup_hour
    where store_id <> '*' and category <> '*'`;
  assert.equal(cats.s, exp.sales_cents);
  // Days are store-local.
  const days = await db.sql`select store_id, day::text, sales_cents from rollup_day
    where category = '*' and store_id <> '*'`;
  for (const d of days) {
    assert.equal(d.sales_cents, exp.byStoreDay.get(`${d.store_id}|${d.day}`) ?? 0);
  }
  assert.equal(days.length, exp.byStoreDay.size);
  const [{ n }] = await db.sql`select count(*)::int n from receipts`;
  assert.equal(n, 300);
});

Deno.test("apply - a batch with a resend is rerun keys-first, and the next ones go keys-first for a while", async () => {
  await using db = await testDb("apply_paths");
  await seedStores(db.sql);
  const receipts = makeReceipts({ count: 200, start: START, stepMs: 1000 });
  let next = 0;
  const take = (n: number) => receipts.slice(next, next += n);
  // Earlier tests in this file may have left the process keys-first: run until it is not.
  for (let i = 0; i <= KEYS_FIRST_AFTER_RESEND; i++) {
    if ((await applyEvents(db, entries(take(1)), ctx)).path === "optimistic") break;
  }
  assert.equal((await applyEvents(db, entries(take(3)), ctx)).path, "optimistic");
  const resend = await applyEvents(db, entries([...take(5), receipts[0]]), ctx);
  assert.deepEqual([resend.path, resend.newReceipts.length, resend.duplicates], ["rerun", 5, 1]);
  for (let i = 0; i < KEYS_FIRST_AFTER_RESEND; i++) {
    assert.equal((await applyEvents(db, entries(take(2)), ctx)).path, "keys-first", `batch ${i}`);
  }
  assert.equal((await applyEvents(db, entries(take(2)), ctx)).path, "optimistic");
  // An inventory event recorded before sends its batch keys-first too.
  const delivery = stockEvent("receipt", "paris-01", "X", 5, START, "d-paths");
  assert.equal((await applyEvents(db, entries([delivery, ...take(1)]), ctx)).path, "optimistic");
  const again = await applyEvents(db, entries([delivery, ...take(1)]), ctx);
  assert.deepEqual([again.path, again.newReceipts.length, again.duplicates], ["rerun", 1, 1]);
  const [{ n }] = await db.sql`select count(*)::int n from receipts`;
  assert.equal(n, next);
  const [stock] = await db.sql`select on_hand from inventory where store_id = 'paris-01'
    and sku = 'X'`;
  assert.equal(stock.on_hand, 5);
});

Deno.test("apply - a replay returns the absolute values of the buckets it touches", async () => {
  await using db = await testDb("apply_replay");
  await seedStores(db.sql);
  const receipts = makeReceipts({ count: 40, start: START, stepMs: 1000 });
  const first = await applyEvents(db, entries(receipts), ctx);
  const replay = await applyEvents(db, entries(receipts), ctx);
  assert.equal(replay.newReceipts.length, 0);
  const key = (b: { resolution: string; store_id: string; category: string; bucket: number }) =>
    `${b.resolution}|${b.store_id}|${b.category}|${b.bucket}`;
  const a = new Map(first.buckets.map((b) => [key(b), b]));
  assert.equal(replay.buckets.length, a.size);
  for (const b of replay.buckets) assert.deepEqual(b, a.get(key(b)));
});

Deno.test("apply - inventory: counts set, deliveries add, sales subtract, refunds add back", async () => {
  await using db = await testDb("apply_stock");
  await seedStores(db.sql);
  const t = START;
  const sale = makeReceipts({ count: 1, start: t + 60_000, refundShare: 0 })[0];
  sale.store_id = "paris-01";
  sale.lines = [{
    sku: "X",
    category: "food",
    quantity: 3,
    unit_price_cents: 100,
    discount_cents: 0,
  }];
  sale.total_cents = 300;
  const refund = {
    ...sale,
    type: "refund" as const,
    transaction_id: "r-1",
    ts: t + 120_000,
    lines: [{ ...sale.lines[0], quantity: 1 }],
    total_cents: 100,
  };
  await applyEvents(
    db,
    entries([
      stockEvent("count", "paris-01", "X", 10, t, "c1"),
      stockEvent("receipt", "paris-01", "X", 5, t + 1000, "d1"),
      stockEvent("adjustment", "paris-01", "X", -2, t + 2000, "a1"),
      sale,
    ]),
    ctx,
  );
  // A replay of the delivery and a late sale from before the count change nothing.
  const old = { ...sale, transaction_id: "old", ts: t - 60_000 };
  await applyEvents(
    db,
    entries([stockEvent("receipt", "paris-01", "X", 5, t + 1000, "d1"), refund, old]),
    ctx,
  );
  const [row] = await db
    .sql`select on_hand from inventory where store_id = 'paris-01' and sku = 'X'`;
  assert.equal(row.on_hand, 10 + 5 - 2 - 3 + 1);
  const [cs] = await db.sql`select count(*)::int n from inventory_events`;
  assert.equal(cs.n, 3);
});

Deno.test("apply - late receipts correct the totals and mark closed buckets revised", async () => {
  await using db = await testDb("apply_late");
  await seedStores(db.sql);
  const [r] = makeReceipts({ count: 1, start: START, refundShare: 0 });
  const ts = START + 3 * 3_600_000; // 01:30 UTC, 02:30 in Paris
  const late = { ...r, store_id: "paris-01", ts };
  const watermarks = new Map([["s", ts + 20 * 60_000]]);
  const res = await applyEvents(db, entries([late]), { watermarks, stores });
  assert.equal(res.late.sales, 1);
  const [m] = await db.sql`select revised, sales_cents from rollup_minute
    where store_id = '*' and category = '*'`;
  assert.deepEqual([m.revised, m.sales_cents], [1, late.total_cents]);
  await compactOnce(db);
  const [h] = await db.sql`select revised from rollup_hour where store_id = '*' and category = '*'`;
  assert.equal(h.revised, 0, "the hour 01:00-02:00 UTC is still open at 01:50");
  const [d] = await db
    .sql`select revised from rollup_day where store_id = 'paris-01' and category = '*'`;
  assert.equal(d.revised, 0, "the Paris day is still open at the watermark");
});

Deno.test("apply - customers and their purchase stats", async () => {
  await using db = await testDb("apply_customers");
  await seedStores(db.sql);
  const rs = makeReceipts({ count: 3, start: START, refundShare: 0 }).map((r, i) => ({
    ...r,
    customer_id: "c1",
    type: i === 2 ? "refund" as const : "sale" as const,
  }));
  await applyEvents(
    db,
    entries([
      {
        type: "customer",
        kind: "signup",
        customer_id: "c1",
        email: "a@b.c",
        timestamp: "",
        ts: START,
      },
      {
        type: "customer",
        kind: "update",
        customer_id: "c1",
        phone: "+331234567",
        timestamp: "",
        ts: START + 5,
      },
      ...rs,
    ]),
    ctx,
  );
  const [c] = await db
    .sql`select email, phone, signed_up_at from customers where customer_id = 'c1'`;
  assert.deepEqual([c.email, c.phone, c.signed_up_at.getTime()], ["a@b.c", "+331234567", START]);
  const [s] = await db.sql`select orders, refunds, revenue_cents, first_purchase, last_purchase
    from customer_stats where customer_id = 'c1'`;
  assert.deepEqual(
    [s.orders, s.refunds, s.revenue_cents, s.first_purchase.getTime(), s.last_purchase.getTime()],
    [2, 1, rs[0].total_cents + rs[1].total_cents - rs[2].total_cents, rs[0].ts, rs[1].ts],
  );
});

Deno.test("apply - inventory fast path and exact path agree with applyChanges, batch by batch", async () => {
  await using db = await testDb("apply_stock_model");
  await seedStores(db.sql);
  const rand = rng(42);
  const skus = ["A", "B", "C"];
  const model = new Map<string, StockLevel>(skus.map((s) => [s, { on_hand: 0, counted_at: null }]));
  let n = 0;
  for (let b = 0; b < 25; b++) {
    const events: PosEvent[] = [];
    for (let i = 0; i < 6; i++) {
      const sku = skus[Math.floor(rand() * skus.length)];
      // Event times wander back and forth around a count, so some changes predate it.
      const ts = START + Math.floor(rand() * 20) * 60_000;
      const q = 1 + Math.floor(rand() * 5);
      const pick = rand();
      if (pick < 0.15) events.push(stockEvent("count", "paris-01", sku, 20 + q, ts, `e${n++}`));
      else if (pick < 0.3) events.push(stockEvent("receipt", "paris-01", sku, q, ts, `e${n++}`));
      else {
        const [r] = makeReceipts({ count: 1, start: ts, stepMs: 0, refundShare: 0.3, seed: n });
        r.transaction_id = `t${n++}`;
        r.store_id = "paris-01";
        r.ts = ts;
        r.lines = [{
          sku,
          category: "food",
          quantity: q,
          unit_price_cents: 100,
          discount_cents: 0,
        }];
        r.total_cents = q * 100;
        events.push(r);
      }
    }
    const changes = new Map<string, StockChange[]>();
    for (const e of events) {
      const list: StockChange[] = [];
      if (e.type === "inventory") {
        const kind = e.kind === "count" ? "count" : "delta";
        list.push({ store_id: e.store_id, sku: e.sku, ts: e.ts, kind, quantity: e.quantity });
      } else if (e.type === "sale" || e.type === "refund") {
        for (const l of e.lines) {
          const quantity = e.type === "sale" ? -l.quantity : l.quantity;
          list.push({ store_id: e.store_id, sku: l.sku, ts: e.ts, kind: "delta", quantity });
        }
      }
      for (const c of list) changes.set(c.sku, [...(changes.get(c.sku) ?? []), c]);
    }
    for (const [sku, list] of changes) model.set(sku, applyChanges(model.get(sku)!, list));
    await applyEvents(db, entries(events, b * 100), ctx);
    const rows = await db.sql<{ sku: string; on_hand: number; ms: string | null }[]>`
      select sku, on_hand, (extract(epoch from counted_at) * 1000)::int8::text as ms
      from inventory where store_id = 'paris-01' order by sku`;
    for (const r of rows) {
      const want = model.get(r.sku)!;
      assert.deepEqual(
        { on_hand: r.on_hand, counted_at: r.ms === null ? null : Number(r.ms) },
        want,
        `batch ${b}, sku ${r.sku}`,
      );
    }
  }
});
