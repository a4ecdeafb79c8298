/**
 * Bucketing of receipts by event time, in memory, before one set-based upsert per table.
 *
 * Minute and hour buckets are UTC; day buckets are the store's local date (a store in
 * Asia/Tokyo closes its day at 15:00 UTC). Each receipt feeds four rows per resolution:
 * store × category, store × '*', '*' × category and '*' × '*' (chain-wide). Sales feed
 * sales_cents/transactions/units/discount_cents; refunds feed refunds/refund_cents. A category
 * row counts a receipt once if any of its lines is in that category. `revised` counts late
 * receipts that landed in a bucket already closed by the watermark.
 */
import type { ReceiptEvent } from "../lib/events.ts";
import { localDate } from "../lib/stores.ts";
import { HOUR_MS, MINUTE_MS } from "../lib/clock.ts";
import { addTotals, type Counters, zeroCounters } from "./series.ts";
import { innerMap, valuesInKeyOrder } from "./keyed.ts";

/** Counters of one rollup row (the series store's, pipeline/series.ts). */
export type RollupCounters = Counters;

/** One rollup row to upsert. `bucket` is epoch ms (day: Date.UTC of the local date). */
export interface RollupRow extends RollupCounters {
  store_id: string;
  category: string;
  bucket: number;
}

/** Rows per resolution, keyed by `store\u0000category\u0000bucket`. */
export interface Rollups {
  minute: Map<string, RollupRow>;
  hour: Map<string, RollupRow>;
  day: Map<string, RollupRow>;
}

/** A receipt ready for the rollups: the event, its local date and whether it came late. */
export interface PreparedReceipt {
  event: ReceiptEvent;
  /** Store-local date, YYYY-MM-DD. */
  day: string;
  /** Watermark of its partition when the batch was read (ms), or null if none yet. */
  watermark: number | null;
  /** The store's time zone, to tell whether its local day is closed. */
  timezone: string;
}

/** The key of a rollup row in the maps of {@link Rollups}. */
export function rollupKey(store: string, category: string, bucket: number): string {
  return `${store}\u0000${category}\u0000${bucket}`;
}

/** Epoch ms of `YYYY-MM-DD` at UTC midnight: how day buckets are named. */
export function dayBucket(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)));
}

const QUARTER_MS = 15 * MINUTE_MS;
const dayCache = new Map<string, string>();

/**
 * The store-local date at `ts`, cached per zone and quarter hour (every UTC offset in use is a
 * multiple of 15 minutes, so the date cannot change inside one): Intl formatting per event
 * would cost more than the rest of the batch preparation.
 */
export function localDay(ts: number, timezone: string): string {
  const q = Math.floor(ts / QUARTER_MS);
  const k = `${timezone}|${q}`;
  let d = dayCache.get(k);
  if (d === undefined) {
    if (dayCache.size > 50_000) dayCache.clear();
    d = localDate(q * QUARTER_MS, timezone);
    dayCache.set(k, d);
  }
  return d;
}

/** An empty rollup set. */
function emptyRollups(): Rollups {
  return { minute: new Map(), hour: new Map(), day: new Map() };
}

function row(map: Map<string, RollupRow>, store: string, category: string, bucket: number) {
  const k = rollupKey(store, category, bucket);
  let r = map.get(k);
  if (!r) {
    r = { store_id: store, category, bucket, ...zeroCounters() };
    map.set(k, r);
  }
  return r;
}

/**
 * A receipt's contribution to one store × category (or store × '*') minute, before it is
 * spread over the resolutions and the chain-wide rows: receipts of one minute, local day and
 * lateness share it, so a batch of thousands of receipts spreads a few hundred of these.
 */
interface Fine extends Counters {
  store_id: string;
  category: string;
  minute: number;
  day: string;
  /** Which resolutions' buckets were closed for these receipts: 1 minute, 2 hour, 4 day. */
  closed: number;
  /** The last receipt counted here (a category row counts a receipt once). */
  seq: number;
}

function fine(
  map: Map<string, Fine>,
  store: string,
  category: string,
  minute: number,
  day: string,
  closed: number,
): Fine {
  const k = `${store}\u0000${category}\u0000${minute}\u0000${day}\u0000${closed}`;
  let f = map.get(k);
  if (!f) {
    // `revised` stays 0 here: it depends on the resolution, and addFine derives it from `closed`.
    f = { store_id: store, category, minute, day, closed, ...zeroCounters(), seq: -1 };
    map.set(k, f);
  }
  return f;
}

/**
 * The closed-bucket bits of a receipt (for `revised`): a minute or hour bucket whose end is at
 * or before the watermark; a day whose local date is before the watermark's local date in the
 * store's zone.
 */
function closedBits(p: PreparedReceipt, minute: number): number {
  if (p.watermark === null || p.event.ts >= p.watermark) return 0;
  const hour = Math.floor(minute / HOUR_MS) * HOUR_MS;
  return (minute + MINUTE_MS <= p.watermark ? 1 : 0) |
    (hour + HOUR_MS <= p.watermark ? 2 : 0) |
    (localDay(p.watermark, p.timezone) > p.day ? 4 : 0);
}

/** Sums receipts into their store × category and store × '*' minutes. */
function fineRows(receipts: Iterable<PreparedReceipt>): Map<string, Fine> {
  const out = new Map<string, Fine>();
  let seq = 0;
  for (const p of receipts) {
    const e = p.event;
    const sale = e.type === "sale";
    const minute = Math.floor(e.ts / MINUTE_MS) * MINUTE_MS;
    const closed = closedBits(p, minute);
    seq++;
    let units = 0, discount = 0;
    for (const l of e.lines) {
      const f = fine(out, e.store_id, l.category, minute, p.day, closed);
      const cents = l.quantity * l.unit_price_cents - l.discount_cents;
      if (f.seq !== seq) {
        f.seq = seq;
        if (sale) f.transactions += 1;
        else f.refunds += 1;
      }
      if (sale) {
        f.sales_cents += cents;
        f.units += l.quantity;
        f.discount_cents += l.discount_cents;
      } else f.refund_cents += cents;
      units += l.quantity;
      discount += l.discount_cents;
    }
    const all = fine(out, e.store_id, "*", minute, p.day, closed);
    if (sale) {
      all.sales_cents += e.total_cents;
      all.transactions += 1;
      all.units += units;
      all.discount_cents += discount;
    } else {
      all.refunds += 1;
      all.refund_cents += e.total_cents;
    }
  }
  return out;
}

function addFine(x: RollupRow, f: Fine, revised: boolean): void {
  addTotals(x, f);
  if (revised) x.revised += f.transactions + f.refunds;
}

/**
 * The rollup rows of a set of receipts: each receipt feeds four rows per resolution (store ×
 * category, store × '*', '*' × category, '*' × '*'). Sales feed sales_cents, transactions,
 * units and discount_cents; refunds feed refunds and refund_cents; a category row counts a
 * receipt once if any of its lines is in that category; `revised` counts late receipts whose
 * bucket was already closed by the watermark.
 */
export function rollupsOf(receipts: Iterable<PreparedReceipt>): Rollups {
  const r = emptyRollups();
  const days = new Map<string, number>();
  for (const f of fineRows(receipts).values()) {
    let day = days.get(f.day);
    if (day === undefined) days.set(f.day, day = dayBucket(f.day));
    const hour = Math.floor(f.minute / HOUR_MS) * HOUR_MS;
    const spread = (map: Map<string, RollupRow>, bucket: number, bit: number) => {
      const revised = (f.closed & bit) !== 0;
      addFine(row(map, f.store_id, f.category, bucket), f, revised);
      addFine(row(map, "*", f.category, bucket), f, revised);
    };
    spread(r.minute, f.minute, 1);
    spread(r.hour, hour, 2);
    spread(r.day, day, 4);
  }
  return r;
}

/** The rollup row keys a receipt touches, per resolution (to re-read them on a replay). */
export function touchedKeys(p: PreparedReceipt): Record<keyof Rollups, RollupRow[]> {
  const r = rollupsOf([{ ...p, watermark: null }]);
  return { minute: [...r.minute.values()], hour: [...r.hour.values()], day: [...r.day.values()] };
}

/**
 * Whether a rollup row of this resolution is left to the compactor (pipeline/compact.ts): every
 * hour and day row. A small batch spreads over most of them (50 stores × 8 categories, their
 * stores and the chain), so rewriting them once per compaction instead of once per batch saves
 * about a quarter of the batch's writes; the minute rows stay in the batch transaction, visible
 * at its commit.
 */
export function compacted(resolution: keyof Rollups): boolean {
  return resolution !== "minute";
}

/** Rows sorted by key, so concurrent transactions lock rollup rows in one order (no deadlock). */
export function sortedRows(map: Map<string, RollupRow>): RollupRow[] {
  return [...map.values()].sort((a, b) =>
    a.store_id < b.store_id
      ? -1
      : a.store_id > b.store_id
      ? 1
      : a.category < b.category
      ? -1
      : a.category > b.category
      ? 1
      : a.bucket - b.bucket
  );
}

/** One store × SKU × local day change: units and revenue (sales add, refunds subtract). */
export interface SkuDay {
  store_id: string;
  day: string;
  sku: string;
  category: string;
  units: number;
  revenue_cents: number;
}

/** Net units and revenue per store × local day × SKU over the given receipts, sorted. */
export function skuDaily(receipts: PreparedReceipt[]): SkuDay[] {
  // Keyed (store, day) → SKU: no string built per line.
  const groups = new Map<string, Map<string, SkuDay>>();
  for (const p of receipts) {
    const e = p.event;
    const sign = e.type === "sale" ? 1 : -1;
    const skus = innerMap(groups, `${e.store_id}\u0000${p.day}`);
    for (const l of e.lines) {
      let x = skus.get(l.sku);
      if (!x) {
        skus.set(
          l.sku,
          x = {
            store_id: e.store_id,
            day: p.day,
            sku: l.sku,
            category: l.category,
            units: 0,
            revenue_cents: 0,
          },
        );
      }
      x.units += sign * l.quantity;
      x.revenue_cents += sign * (l.quantity * l.unit_price_cents - l.discount_cents);
    }
  }
  return valuesInKeyOrder(groups);
}

/** One register's store-local day, as a batch changes it (`last_ms`: its newest receipt). */
export interface RegisterDay {
  store_id: string;
  /** Store-local date, YYYY-MM-DD. */
  day: string;
  register_id: string;
  /** Sales rung up, and their total. */
  transactions: number;
  sales_cents: number;
  refunds: number;
  refund_cents: number;
  last_ms: number;
}

/** Per store, local day and register: sales, refunds and the newest receipt, in key order. */
export function registerDaily(receipts: PreparedReceipt[]): RegisterDay[] {
  const groups = new Map<string, Map<string, RegisterDay>>();
  for (const p of receipts) {
    const e = p.event;
    const registers = innerMap(groups, `${e.store_id}\u0000${p.day}`);
    let x = registers.get(e.register_id);
    if (!x) {
      registers.set(
        e.register_id,
        x = {
          store_id: e.store_id,
          day: p.day,
          register_id: e.register_id,
          transactions: 0,
          sales_cents: 0,
          refunds: 0,
          refund_cents: 0,
          last_ms: e.ts,
        },
      );
    }
    if (e.type === "sale") {
      x.transactions++;
      x.sales_cents += e.total_cents;
    } else {
      x.refunds++;
      x.refund_cents += e.total_cents;
    }
    if (e.ts > x.last_ms) x.last_ms = e.ts;
  }
  return valuesInKeyOrder(groups);
}

/** Purchase stats change of one customer. first/last are of sales only (null: none). */
export interface CustomerDelta {
  customer_id: string;
  first_purchase: number | null;
  last_purchase: number | null;
  /** Any receipt time, used when the customer has no sale yet (the column is not null). */
  seen: number;
  orders: number;
  revenue_cents: number;
  refunds: number;
}

/** Purchase stats changes per customer (revenue is net of refunds), sorted by customer. */
export function customerDeltas(receipts: PreparedReceipt[]): CustomerDelta[] {
  const out = new Map<string, CustomerDelta>();
  for (const { event: e } of receipts) {
    if (!e.customer_id) continue;
    let c = out.get(e.customer_id);
    if (!c) {
      out.set(
        e.customer_id,
        c = {
          customer_id: e.customer_id,
          first_purchase: null,
          last_purchase: null,
          seen: e.ts,
          orders: 0,
          revenue_cents: 0,
          refunds: 0,
        },
      );
    }
    c.seen = Math.min(c.seen, e.ts);
    if (e.type === "sale") {
      c.orders += 1;
      c.revenue_cents += e.total_cents;
      c.first_purchase = c.first_purchase === null ? e.ts : Math.min(c.first_purchase, e.ts);
      c.last_purchase = c.last_purchase === null ? e.ts : Math.max(c.last_purchase, e.ts);
    } else {
      c.refunds += 1;
      c.revenue_cents -= e.total_cents;
    }
  }
  return [...out.values()].sort((a, b) => (a.customer_id < b.customer_id ? -1 : 1));
}
