/**
 * Inventory on hand per store × SKU, by event time: a count sets the level as of its
 * timestamp; deliveries ("receipt"), signed adjustments and refunds add; sales subtract. A
 * change older than the newest count is already reflected in that count and is ignored, so a
 * late sale never corrupts a fresh count. (A count that arrives after sales newer than it,
 * from an earlier batch, overwrites them: on-hand is exact when counts arrive in order.)
 */
import type { InventoryEvent, ReceiptEvent } from "../lib/events.ts";

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
  const counted = new Set<string>();
  for (const e of inventory) if (e.kind === "count") counted.add(stockKey(e.store_id, e.sku));
  const exact = new Map<string, StockChange[]>();
  const net = new Map<string, NetChange>();
  const each = (
    f: (
      key: string,
      store: string,
      sku: string,
      ts: number,
      kind: StockChange["kind"],
      q: number,
    ) => void,
  ) => {
    for (const e of receipts) {
      const sign = e.type === "sale" ? -1 : 1;
      for (const l of e.lines) {
        f(stockKey(e.store_id, l.sku), e.store_id, l.sku, e.ts, "delta", sign * l.quantity);
      }
    }
    for (const e of inventory) {
      const kind = e.kind === "count" ? "count" : "delta";
      f(stockKey(e.store_id, e.sku), e.store_id, e.sku, e.ts, kind, e.quantity);
    }
  };
  const add = (lists: Map<string, StockChange[]>, key: string, c: StockChange) => {
    const list = lists.get(key);
    if (list) list.push(c);
    else lists.set(key, [c]);
  };
  each((key, store_id, sku, ts, kind, quantity) => {
    if (counted.has(key)) return add(exact, key, { store_id, sku, ts, kind, quantity });
    const n = net.get(key);
    if (!n) net.set(key, { store_id, sku, delta: quantity, first: ts });
    else {
      n.delta += quantity;
      if (ts < n.first) n.first = ts;
    }
  });
  const byKey = <T>(m: Map<string, T>) => [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  return {
    net: byKey(net).map(([, v]) => v),
    exact: new Map(byKey(exact)),
    changesOf(keys) {
      const out = new Map<string, StockChange[]>();
      each((key, store_id, sku, ts, kind, quantity) => {
        if (keys.has(key)) add(out, key, { store_id, sku, ts, kind, quantity });
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
