/**
 * The rollup bucketing against its definition, written out receipt by receipt: four rows per
 * resolution (store × category, store × '*', '*' × category, '*' × '*'), a category row counts a
 * receipt once, sales and refunds feed their own counters, and `revised` counts late receipts
 * whose bucket the watermark had closed. Random batches, two time zones, late and on-time.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { ReceiptEvent } from "../lib/events.ts";
import { HOUR_MS, MINUTE_MS } from "../lib/clock.ts";
import {
  dayBucket,
  localDay,
  type PreparedReceipt,
  rollupKey,
  type RollupRow,
  rollupsOf,
  skuDaily,
  type SkuDay,
  touchedKeys,
} from "./rollup.ts";
import { zeroCounters } from "./series.ts";

const ZONES = { S1: "Europe/London", S2: "Asia/Kolkata" } as const;
type Res = "minute" | "hour" | "day";

/** The definition, one receipt and one row at a time. */
function reference(receipts: PreparedReceipt[]): Record<Res, Map<string, RollupRow>> {
  const out: Record<Res, Map<string, RollupRow>> = {
    minute: new Map(),
    hour: new Map(),
    day: new Map(),
  };
  const add = (
    res: Res,
    store: string,
    category: string,
    bucket: number,
    sale: boolean,
    cents: number,
    units: number,
    discount: number,
    revised: boolean,
  ) => {
    const k = rollupKey(store, category, bucket);
    const r = out[res].get(k) ?? { store_id: store, category, bucket, ...zeroCounters() };
    out[res].set(k, r);
    if (sale) {
      r.sales_cents += cents;
      r.transactions += 1;
      r.units += units;
      r.discount_cents += discount;
    } else {
      r.refunds += 1;
      r.refund_cents += cents;
    }
    if (revised) r.revised += 1;
  };
  for (const p of receipts) {
    const e = p.event;
    const sale = e.type === "sale";
    const late = p.watermark !== null && e.ts < p.watermark;
    const buckets: [Res, number, boolean][] = [
      ["minute", Math.floor(e.ts / MINUTE_MS) * MINUTE_MS, false],
      ["hour", Math.floor(e.ts / HOUR_MS) * HOUR_MS, false],
      ["day", dayBucket(p.day), late && localDay(p.watermark!, p.timezone) > p.day],
    ];
    buckets[0][2] = late && buckets[0][1] + MINUTE_MS <= p.watermark!;
    buckets[1][2] = late && buckets[1][1] + HOUR_MS <= p.watermark!;
    const categories = [...new Set(e.lines.map((l) => l.category))];
    for (const [res, bucket, closed] of buckets) {
      for (const c of categories) {
        const lines = e.lines.filter((l) => l.category === c);
        const cents = lines.reduce(
          (a, l) => a + l.quantity * l.unit_price_cents - l.discount_cents,
          0,
        );
        const units = lines.reduce((a, l) => a + l.quantity, 0);
        const discount = lines.reduce((a, l) => a + l.discount_cents, 0);
        for (const store of [e.store_id, "*"]) {
          add(res, store, c, bucket, sale, cents, units, discount, closed);
        }
      }
      const units = e.lines.reduce((a, l) => a + l.quantity, 0);
      const discount = e.lines.reduce((a, l) => a + l.discount_cents, 0);
      for (const store of [e.store_id, "*"]) {
        add(res, store, "*", bucket, sale, e.total_cents, units, discount, closed);
      }
    }
  }
  return out;
}

interface RandomReceipt {
  store: "S1" | "S2";
  sale: boolean;
  offsetMs: number;
  lines: { category: string; quantity: number; price: number; discount: number }[];
  watermarkBehindMs: number | null;
}

const T0 = Date.parse("2026-03-28T22:00:00Z");

const receiptArb: fc.Arbitrary<RandomReceipt> = fc.record({
  store: fc.constantFrom("S1", "S2"),
  sale: fc.boolean(),
  offsetMs: fc.integer({ min: 0, max: 6 * HOUR_MS }),
  lines: fc.array(
    fc.record({
      category: fc.constantFrom("food", "drink", "home"),
      quantity: fc.integer({ min: 1, max: 5 }),
      price: fc.integer({ min: 0, max: 5_000 }),
      discount: fc.integer({ min: 0, max: 100 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  watermarkBehindMs: fc.option(fc.integer({ min: -2 * HOUR_MS, max: 3 * HOUR_MS })),
});

function prepared(rs: RandomReceipt[]): PreparedReceipt[] {
  return rs.map((r, i) => {
    const ts = T0 + r.offsetMs;
    const lines = r.lines.map((l, n) => ({
      sku: `${l.category}-${n}`,
      category: l.category,
      quantity: l.quantity,
      unit_price_cents: l.price,
      discount_cents: Math.min(l.discount, l.quantity * l.price),
    }));
    const event: ReceiptEvent = {
      type: r.sale ? "sale" : "refund",
      store_id: r.store,
      transaction_id: `t${i}`,
      register_id: "r1",
      ts,
      timestamp: new Date(ts).toISOString(),
      currency: "GBP",
      payment: "card",
      lines,
      total_cents: lines.reduce(
        (a, l) => a + l.quantity * l.unit_price_cents - l.discount_cents,
        0,
      ),
    };
    const timezone = ZONES[r.store];
    return {
      event,
      day: localDay(ts, timezone),
      watermark: r.watermarkBehindMs === null ? null : ts + r.watermarkBehindMs,
      timezone,
    };
  });
}

const sorted = (m: Map<string, RollupRow>) =>
  [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, v]) => v);

Deno.test("rollupsOf - equals the row-by-row definition on random batches, late receipts included", () => {
  fc.assert(
    fc.property(fc.array(receiptArb, { minLength: 1, maxLength: 40 }), (rs) => {
      const receipts = prepared(rs);
      const got = rollupsOf(receipts), want = reference(receipts);
      for (const res of ["minute", "hour", "day"] as const) {
        assert.deepEqual(sorted(got[res]), sorted(want[res]), res);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("touchedKeys - the rows one receipt touches, never marked revised", () => {
  const [p] = prepared([{
    store: "S2",
    sale: true,
    offsetMs: 90 * MINUTE_MS,
    lines: [
      { category: "food", quantity: 1, price: 100, discount: 0 },
      { category: "home", quantity: 2, price: 50, discount: 0 },
    ],
    watermarkBehindMs: 2 * HOUR_MS,
  }]);
  const t = touchedKeys(p);
  for (const res of ["minute", "hour", "day"] as const) {
    assert.deepEqual(
      t[res].map((r) => `${r.store_id}/${r.category}`).sort(),
      ["*/*", "*/food", "*/home", "S2/*", "S2/food", "S2/home"],
    );
    assert.ok(t[res].every((r) => r.revised === 0));
  }
});

Deno.test("skuDaily - equals the line-by-line definition, in (store, day, SKU) order", () => {
  // SKUs that are prefixes of one another, so the order is tested where it is easy to get wrong.
  const skus = ["A", "A1", "A10", "A-1", "B", "a"];
  fc.assert(
    fc.property(
      fc.array(receiptArb, { minLength: 1, maxLength: 40 }),
      fc.array(fc.nat(skus.length - 1), { minLength: 160, maxLength: 160 }),
      (rs, picks) => {
        const receipts = prepared(rs);
        let i = 0;
        for (const p of receipts) for (const l of p.event.lines) l.sku = skus[picks[i++ % 160]];
        const want = new Map<string, SkuDay>();
        for (const p of receipts) {
          const sign = p.event.type === "sale" ? 1 : -1;
          for (const l of p.event.lines) {
            const k = [p.event.store_id, p.day, l.sku].join("\u0000");
            const x = want.get(k) ?? {
              store_id: p.event.store_id,
              day: p.day,
              sku: l.sku,
              category: l.category,
              units: 0,
              revenue_cents: 0,
            };
            x.units += sign * l.quantity;
            x.revenue_cents += sign * (l.quantity * l.unit_price_cents - l.discount_cents);
            want.set(k, x);
          }
        }
        assert.deepEqual(
          skuDaily(receipts),
          [...want.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, v]) => v),
        );
      },
    ),
    { numRuns: 300 },
  );
});
