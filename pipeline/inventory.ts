/**
 * Inventory on hand per store × SKU, by event time: a count sets the level as of its
 * timestamp; deliveries ("receipt"), signed adjustments and refunds add; sales subtract. A
 * change older than the newest count is already reflected in that count and is ignored, so a
 * late sale never corrupts a fresh count. (A count that arrives after sales newer than it,
 * from an earlier batch, overwrites them: on-hand is exact when counts arrive in order.)
 */

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

/** Changes grouped per store × SKU, in key order (the order rows are locked in). */
export function groupChanges(changes: StockChange[]): Map<string, StockChange[]> {
  const byKey = new Map<string, StockChange[]>();
  for (const c of changes) {
    const k = stockKey(c.store_id, c.sku);
    const list = byKey.get(k);
    if (list) list.push(c);
    else byKey.set(k, [c]);
  }
  return new Map([...byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
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
