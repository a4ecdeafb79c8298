import assert from "node:assert/strict";
import { Simulator } from "./generator.ts";
import { anomaliesForWeek } from "./anomalies.ts";
import { expectedReceipts } from "./seasonality.ts";
import { naturalRate } from "./runner.ts";
import { localFields } from "../../lib/timezone.ts";
import { validateEvent } from "../../lib/events.ts";

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const W = 2920; // an epoch week: 2025-12-18 (Thursday) 00:00 UTC
type Ev = Record<string, unknown> & {
  lines?: { sku: string; category: string; unit_price: string }[];
};

function run(seed: number, stores: number, from: number, to: number) {
  const sim = new Simulator({ seed, stores, start: from });
  const events = sim.until(to);
  return { sim, events, labels: sim.labelsUntil(to) };
}

Deno.test("simulator - same seed gives the same events, another seed different ones", () => {
  const from = W * WEEK, to = from + DAY;
  const a = run(7, 4, from, to), b = run(7, 4, from, to), c = run(8, 4, from, to);
  assert.ok(a.events.length > 1000);
  assert.equal(JSON.stringify(a.events), JSON.stringify(b.events));
  assert.deepEqual(a.labels, b.labels);
  assert.notEqual(JSON.stringify(a.events), JSON.stringify(c.events));
  // Taking the same history in small steps yields the same events as one big step.
  const stepped = new Simulator({ seed: 7, stores: 4, start: from });
  const parts = [];
  for (let t = from + 600_000; t <= to; t += 600_000) parts.push(...stepped.until(t));
  assert.equal(JSON.stringify(parts), JSON.stringify(a.events));
});

Deno.test("simulator - events pass the contract; ~60% of sales carry a customer, ~2% are refunds", () => {
  const from = W * WEEK, to = from + 2 * DAY;
  const { events } = run(3, 6, from, to);
  let sales = 0, withCustomer = 0, refunds = 0, inventory = 0, customers = 0;
  for (const { event } of events) {
    const v = validateEvent(event, { now: to });
    assert.ok(v.ok, v.ok ? "" : `${v.error}: ${JSON.stringify(event)}`);
    if (event.type === "sale") {
      sales++;
      if (event.customer_id) withCustomer++;
    } else if (event.type === "refund") refunds++;
    else if (event.type === "inventory") inventory++;
    else customers++;
  }
  assert.ok(sales > 5000, `sales ${sales}`);
  const share = withCustomer / sales;
  assert.ok(share > 0.52 && share < 0.68, `customer share ${share}`);
  const refundShare = refunds / (sales + refunds);
  assert.ok(refundShare > 0.012 && refundShare < 0.035, `refund share ${refundShare}`);
  assert.ok(inventory >= 6 * 400, `inventory events ${inventory}`);
  assert.ok(customers > 1000, `customer sign-ups ${customers}`);
});

Deno.test("simulator - each labelled anomaly shows in the events at its labelled time", () => {
  const from = W * WEEK, to = from + 8 * DAY;
  const { sim, events, labels } = run(11, 5, from, to);
  const planned = anomaliesForWeek(11, W, sim.stores, sim.catalog);
  assert.deepEqual(
    planned.map((a) => a.kind).sort(),
    ["demand_spike", "pos_outage", "price_glitch", "refund_burst"],
  );
  for (const a of planned) assert.ok(labels.some((l) => l.kind === a.kind && l.start === a.start));
  const receipts = events.map((e) => ({ ts: e.ts, e: e.event as Ev }))
    .filter((x) => x.e.type === "sale" || x.e.type === "refund");
  const inWindow = (a: { storeId: string; start: number; end: number }) =>
    receipts.filter((x) => x.e.store_id === a.storeId && x.ts >= a.start && x.ts < a.end);

  for (const a of planned) {
    const store = sim.stores.find((s) => s.id === a.storeId)!;
    const hits = inWindow(a);
    if (a.kind === "pos_outage") {
      assert.equal(hits.length, 0, "no receipts while the POS is down");
      const before = inWindow({ ...a, start: a.start - 3_600_000, end: a.start });
      assert.ok(before.length > 5, `store was trading before the outage (${before.length})`);
    } else if (a.kind === "refund_burst") {
      const burst = hits.filter((x) => x.e.type === "refund" && x.e.register_id === a.registerId);
      assert.ok(burst.length >= 10, `refunds at ${a.registerId}: ${burst.length}`);
    } else if (a.kind === "demand_spike") {
      let expected = 0;
      for (let t = a.start; t < a.end; t += 900_000) {
        const l = localFields(t, store.timezone);
        expected += expectedReceipts(store, l.weekday, l.hour) / 4;
      }
      assert.ok(hits.length > 2 * expected, `spike ${hits.length} vs usual ${expected.toFixed(0)}`);
    } else {
      const glitch = (a.details.glitch_price_cents as number) / 100;
      const lines = hits.flatMap((x) => x.e.lines!).filter((l) => l.sku === a.sku);
      assert.ok(lines.length >= 5, `glitch SKU sold ${lines.length} times`);
      assert.ok(lines.every((l) => Number(l.unit_price) === glitch));
      const outside = receipts.filter((x) => x.e.store_id === a.storeId && x.ts >= a.end)
        .flatMap((x) => x.e.lines!).filter((l) => l.sku === a.sku);
      assert.ok(outside.every((l) => Number(l.unit_price) > glitch * 50));
    }
  }
});

Deno.test("simulator - scaling traffic keeps the customer share and multiplies receipts", () => {
  const from = W * WEEK, to = from + DAY;
  const count = (scale: number) => {
    const sim = new Simulator({ seed: 4, stores: 3, start: from, scale });
    const sales = sim.until(to).filter((e) => e.event.type === "sale");
    return {
      n: sales.length,
      share: sales.filter((e) => e.event.customer_id).length / sales.length,
    };
  };
  const base = count(1), big = count(5);
  assert.ok(big.n > 4 * base.n && big.n < 6 * base.n, `${big.n} vs ${base.n}`);
  assert.ok(Math.abs(big.share - base.share) < 0.05, `${big.share} vs ${base.share}`);
});

Deno.test("simulator - the flat shape sends every hour alike, day and night, at the same mean rate", () => {
  const from = W * WEEK, to = from + WEEK, scale = 4;
  const perHour = (shape: "daily" | "flat") => {
    const sim = new Simulator({ seed: 5, stores: 10, start: from, scale, shape });
    const hours = new Array(168).fill(0);
    for (const e of sim.until(to)) {
      if (e.event.type === "sale" || e.event.type === "refund") {
        hours[Math.floor((e.ts - from) / 3_600_000)]++;
      }
    }
    return { sim, hours, total: hours.reduce((a, b) => a + b, 0) };
  };
  const daily = perHour("daily"), flat = perHour("flat");
  // The mean rate is the shape's own: `--rate` means the same receipts a week either way.
  const expected = naturalRate(daily.sim.stores) * scale * WEEK / 1000;
  for (const { total } of [daily, flat]) {
    assert.ok(Math.abs(total / expected - 1) < 0.1, `${total} receipts vs ${expected.toFixed(0)}`);
  }
  const mean = flat.total / 168;
  assert.ok(Math.min(...daily.hours) === 0, "the daily shape closes the stores at night");
  for (const [h, n] of flat.hours.entries()) {
    assert.ok(n > 0.5 * mean && n < 1.6 * mean, `flat hour ${h}: ${n} receipts vs mean ${mean}`);
  }
});

Deno.test("simulator - a faster live rate after the history restocks the shelves, so sales keep their pace", () => {
  const from = W * WEEK, switchAt = from + 3 * DAY, to = switchAt + DAY;
  const sim = new Simulator({ seed: 6, stores: 5, start: from, shape: "flat" });
  sim.until(switchAt); // three days of history at scale 1
  sim.scale = 20; // a week of cover at the old pace lasts about eight hours at this one
  const events = sim.until(to);
  const receipts = (a: number, b: number) =>
    events.filter((e) => e.event.type === "sale" && e.ts >= a && e.ts < b).length;
  const first = receipts(switchAt, switchAt + 4 * 3_600_000);
  const last = receipts(to - 4 * 3_600_000, to);
  assert.ok(last > 0.8 * first, `last 4 h ${last} receipts vs first 4 h ${first}`);
  const restock = events.filter((e) =>
    e.event.type === "inventory" && String(e.event.event_id).startsWith("rescale-")
  );
  assert.ok(restock.length > 0, "the restock is sent as deliveries, so inventory stays true");
  assert.ok(restock.every((e) => e.ts === switchAt && Number(e.event.quantity) > 0));
});
