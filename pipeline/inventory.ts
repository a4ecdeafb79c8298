/**
 * Inventory on hand per store × SKU, by event time: a count sets the level as of its
 * timestamp; deliveries ("receipt"), signed adjustments and refunds add; sales subtract. A
 * change older than the newest count is already reflected in that count and is ignored, so a
 * late sale never corrupts a fresh count. (A count that arrives after sales newer than it,
 * from an earlier batch, overwrites them: on-hand is exact when counts arrive in order.)
 */
import type { InventoryEvent, ReceiptEvent } from "../lib/events.ts";
import { innerMap, valuesInKeyOrder } from "./keyed.ts";

/** One change to a store × SKU level. */
export interface StockChange {
  store_id: string;
  sku: string;
  /** Event time, epoch ms. */
  ts: number;
  /** "count" sets the level; "delta" adds `quantity` (negative for sales). */
  kind: "count" | "delta";
  quantity: number;
}

/** The net change of one store × SKU that a batch only adds to, and its earliest event time. */
export interface NetChange {
  store_id: string;
  sku: string;
  delta: number;
  /** Epoch ms of the earliest change. */
  first: number;
}

/** How a batch's stock changes are applied. Both lists are in key order (the lock order). */
export interface StockPlan {
  /** Pairs without a count in the batch: one net change each (the fast path). */
  net: NetChange[];
  /** Pairs with a count: every change, to be applied exactly ({@link applyChanges}). */
  exact: Map<string, StockChange[]>;
  /** Every change of the given pairs, in batch order (for fast-path pairs sent to the exact path). */
  changesOf(keys: Set<string>): Map<string, StockChange[]>;
}

/**
 * Plans a batch's stock changes: sales subtract and refunds add their lines, inventory events
 * count or add. Pairs touched by a count keep their full change list; the others (nearly all:
 * counts are rare) are summed as they are read, without a change object per line.
 */
export function stockPlan(
  receipts: readonly ReceiptEvent[],
  inventory: readonly InventoryEvent[],
): StockPlan {
  // Keyed store → SKU (no string built per line), read out in (store, SKU) order: the same
  // order as sorting by stockKey, since ids hold no "\u0000".
  const counted = new Map<string, Map<string, true>>();
  for (const e of inventory) if (e.kind === "count") innerMap(counted, e.store_id).set(e.sku, true);
  const exact = new Map<string, StockChange[]>();
  const net = new Map<string, Map<string, NetChange>>();
  const each = (
    f: (store: string, sku: string, ts: number, kind: StockChange["kind"], q: number) => void,
  ) => {
    for (const e of receipts) {
      const sign = e.type === "sale" ? -1 : 1;
      for (const l of e.lines) f(e.store_id, l.sku, e.ts, "delta", sign * l.quantity);
    }
    for (const e of inventory) {
      f(e.store_id, e.sku, e.ts, e.kind === "count" ? "count" : "delta", e.quantity);
    }
  };
  const add = (lists: Map<string, StockChange[]>, c: StockChange) => {
    const key = stockKey(c.store_id, c.sku);
    const list = lists.get(key);
    if (list) list.push(c);
    else lists.set(key, [c]);
  };
  each((store_id, sku, ts, kind, quantity) => {
    if (counted.get(store_id)?.has(sku)) return add(exact, { store_id, sku, ts, kind, quantity });
    const skus = innerMap(net, store_id);
    const n = skus.get(sku);
    if (!n) skus.set(sku, { store_id, sku, delta: quantity, first: ts });
    else {
      n.delta += quantity;
      if (ts < n.first) n.first = ts;
    }
  });
  return {
    net: valuesInKeyOrder(net),
    exact: new Map([...exact.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
    changesOf(keys) {
      const out = new Map<string, StockChange[]>();
      each((store_id, sku, ts, kind, quantity) => {
        if (keys.has(stockKey(store_id, sku))) add(out, { store_id, sku, ts, kind, quantity });
      });
      return out;
    },
  };
}

/** A level as stored: on hand and the time of the count it rests on. */
export interface StockLevel {
  on_hand: number;
  /** Epoch ms of the newest count applied, or null if never counted. */
  counted_at: number | null;
}

/** The key of a store × SKU pair. */
export function stockKey(store: string, sku: string): string {
  return `${store}\u0000${sku}`;
}

/** The new level after applying `changes` (one store × SKU) to `current`. */
export function applyChanges(current: StockLevel, changes: StockChange[]): StockLevel {
  let newest: StockChange | null = null;
  for (const c of changes) {
    if (c.kind !== "count") continue;
    if (current.counted_at !== null && c.ts < current.counted_at) continue;
    if (!newest || c.ts >= newest.ts) newest = c;
  }
  const base = newest ? { on_hand: newest.quantity, counted_at: newest.ts } : { ...current };
  for (const c of changes) {
    if (c.kind !== "delta") continue;
    if (base.counted_at !== null && c.ts <= base.counted_at) continue;
    base.on_hand += c.quantity;
  }
  return base;
}
