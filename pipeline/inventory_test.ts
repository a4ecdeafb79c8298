/**
 * The stock plan against its definition, written out change by change: every line and
 * inventory event becomes a change of its store × SKU pair; pairs with a count keep their list,
 * the others are summed; both come out in (store, SKU) order, the order rows are locked in.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { InventoryEvent, ReceiptEvent } from "../lib/events.ts";
import { type NetChange, type StockChange, stockKey, stockPlan } from "./inventory.ts";

// Ids that are prefixes of one another, so the order is tested where it is easy to get wrong.
const STORES = ["S1", "S10", "S2", "s1"];
const SKUS = ["A", "A1", "A10", "A-1", "B", "a"];

const receiptArb = fc.record({
  store: fc.constantFrom(...STORES),
  sale: fc.boolean(),
  ts: fc.integer({ min: 0, max: 1_000 }),
  lines: fc.array(
    fc.record({ sku: fc.constantFrom(...SKUS), quantity: fc.integer({ min: 1, max: 5 }) }),
    { minLength: 1, maxLength: 4 },
  ),
});
const inventoryArb = fc.record({
  store: fc.constantFrom(...STORES),
  sku: fc.constantFrom(...SKUS),
  kind: fc.constantFrom("count", "receipt", "adjustment") as fc.Arbitrary<InventoryEvent["kind"]>,
  quantity: fc.integer({ min: -5, max: 50 }),
  ts: fc.integer({ min: 0, max: 1_000 }),
});

/** The definition: one change object per line and event, keyed by stockKey, sorted by key. */
function reference(receipts: ReceiptEvent[], inventory: InventoryEvent[]) {
  const changes: StockChange[] = [];
  for (const e of receipts) {
    for (const l of e.lines) {
      changes.push({
        store_id: e.store_id,
        sku: l.sku,
        ts: e.ts,
        kind: "delta",
        quantity: (e.type === "sale" ? -1 : 1) * l.quantity,
      });
    }
  }
  for (const e of inventory) {
    changes.push({
      store_id: e.store_id,
      sku: e.sku,
      ts: e.ts,
      kind: e.kind === "count" ? "count" : "delta",
      quantity: e.quantity,
    });
  }
  const counted = new Set(
    inventory.filter((e) => e.kind === "count").map((e) => stockKey(e.store_id, e.sku)),
  );
  const exact = new Map<string, StockChange[]>();
  const net = new Map<string, NetChange>();
  for (const c of changes) {
    const k = stockKey(c.store_id, c.sku);
    if (counted.has(k)) exact.set(k, [...(exact.get(k) ?? []), c]);
    else {
      const n = net.get(k) ?? { store_id: c.store_id, sku: c.sku, delta: 0, first: c.ts };
      n.delta += c.quantity;
      n.first = Math.min(n.first, c.ts);
      net.set(k, n);
    }
  }
  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return { net: byKey(net).map(([, v]) => v), exact: byKey(exact), changes };
}

Deno.test("stockPlan - equals the change-by-change definition, in (store, SKU) order", () => {
  fc.assert(
    fc.property(
      fc.array(receiptArb, { maxLength: 30 }),
      fc.array(inventoryArb, { maxLength: 8 }),
      (rs, is) => {
        const receipts = rs.map((r, i) => ({
          type: r.sale ? "sale" : "refund",
          store_id: r.store,
          transaction_id: `t${i}`,
          ts: r.ts,
          lines: r.lines,
        })) as unknown as ReceiptEvent[];
        const inventory = is.map((e, i) => ({
          type: "inventory",
          kind: e.kind,
          event_id: `e${i}`,
          store_id: e.store,
          sku: e.sku,
          quantity: e.quantity,
          ts: e.ts,
        })) as unknown as InventoryEvent[];
        const plan = stockPlan(receipts, inventory);
        const want = reference(receipts, inventory);
        assert.deepEqual(plan.net, want.net);
        assert.deepEqual([...plan.exact.entries()], want.exact);
        // The changes of any set of pairs, in batch order.
        const keys = new Set(want.net.slice(0, 3).map((n) => stockKey(n.store_id, n.sku)));
        const of = plan.changesOf(keys);
        for (const k of keys) {
          assert.deepEqual(
            of.get(k),
            want.changes.filter((c) => stockKey(c.store_id, c.sku) === k),
          );
        }
        assert.deepEqual([...of.keys()].sort(), [...keys].sort());
      },
    ),
    { numRuns: 300 },
  );
});
