/**
 * Deterministic receipts with known totals for the pipeline tests and benchmark: a seeded
 * generator, the stores it sells in, and the exact expected sums computed independently of
 * the pipeline's own rollup code.
 */
import type { InventoryEvent, ReceiptEvent } from "../lib/events.ts";
import type { Sql } from "../lib/db.ts";
import { localDate } from "../lib/stores.ts";
import { rng } from "../lib/random.ts";
import { type Totals, zeroTotals } from "../pipeline/series.ts";

/** Stores of the fixtures: different zones so local days differ from UTC days. */
export const FIXTURE_STORES = [
  { id: "paris-01", timezone: "Europe/Paris", currency: "EUR" },
  { id: "tokyo-01", timezone: "Asia/Tokyo", currency: "EUR" },
  { id: "ny-01", timezone: "America/New_York", currency: "EUR" },
  { id: "delhi-01", timezone: "Asia/Kolkata", currency: "EUR" },
];

const CATEGORIES = ["food", "drinks", "home", "toys"];

/** Inserts the fixture stores (or `count` generated ones for the benchmark). */
export async function seedStores(sql: Sql, count = 0): Promise<string[]> {
  const stores = count
    ? Array.from({ length: count }, (_, i) => ({
      id: `bench-${String(i).padStart(3, "0")}`,
      timezone: FIXTURE_STORES[i % FIXTURE_STORES.length].timezone,
      currency: "EUR",
    }))
    : FIXTURE_STORES;
  await sql`insert into stores (id, name, timezone, currency)
    select * from unnest(${stores.map((s) => s.id)}::text[], ${stores.map((s) => s.id)}::text[],
      ${stores.map((s) => s.timezone)}::text[], ${stores.map((s) => s.currency)}::text[])
    on conflict do nothing`;
  return stores.map((s) => s.id);
}

/** Options of {@link makeReceipts}. */
export interface ReceiptOptions {
  count: number;
  seed?: number;
  stores?: string[];
  /** Event time of the first receipt (ms); receipts advance ~`stepMs` each. */
  start: number;
  stepMs?: number;
  refundShare?: number;
  /** Prefix of transaction ids (several generators in one test stay distinct). */
  prefix?: string;
  skus?: number;
}

/** Generates normalised receipts (as `validateEvent` would output them). */
export function makeReceipts(o: ReceiptOptions): ReceiptEvent[] {
  const rand = rng(o.seed ?? 1);
  const stores = o.stores ?? FIXTURE_STORES.map((s) => s.id);
  const out: ReceiptEvent[] = [];
  const skus = o.skus ?? 40;
  for (let i = 0; i < o.count; i++) {
    const ts = o.start + Math.floor(i * (o.stepMs ?? 1000) + rand() * 500);
    const nLines = 1 + Math.floor(rand() * 3);
    const lines = Array.from({ length: nLines }, () => {
      const s = Math.floor(rand() * skus);
      const quantity = 1 + Math.floor(rand() * 3);
      const unit = 99 + s * 37;
      return {
        sku: `sku-${s}`,
        category: CATEGORIES[s % CATEGORIES.length],
        quantity,
        unit_price_cents: unit,
        discount_cents: rand() < 0.2 ? Math.min(50, unit) : 0,
      };
    });
    const total = lines.reduce((a, l) => a + l.quantity * l.unit_price_cents - l.discount_cents, 0);
    out.push({
      type: rand() < (o.refundShare ?? 0.1) ? "refund" : "sale",
      transaction_id: `${o.prefix ?? "t"}-${i}`,
      store_id: stores[Math.floor(rand() * stores.length)],
      register_id: `r${Math.floor(rand() * 4)}`,
      customer_id: rand() < 0.5 ? `c-${Math.floor(rand() * 50)}` : undefined,
      timestamp: new Date(ts).toISOString(),
      ts,
      currency: "EUR",
      payment: "card",
      lines,
      total_cents: total,
    });
    if (out[i].customer_id === undefined) delete out[i].customer_id;
  }
  return out;
}

/** Expected chain-wide and per-store totals of a set of distinct receipts. */
export function expectedTotals(receipts: ReceiptEvent[]) {
  const zone = new Map(FIXTURE_STORES.map((s) => [s.id, s.timezone]));
  const t = {
    ...zeroTotals(),
    /** Sales cents per store and local day, key `store|YYYY-MM-DD`. */
    byStoreDay: new Map<string, number>(),
  };
  for (const r of receipts) {
    const units = r.lines.reduce((a, l) => a + l.quantity, 0);
    if (r.type === "sale") {
      t.sales_cents += r.total_cents;
      t.transactions += 1;
      t.units += units;
      t.discount_cents += r.lines.reduce((a, l) => a + l.discount_cents, 0);
      const k = `${r.store_id}|${localDate(r.ts, zone.get(r.store_id) ?? "UTC")}`;
      t.byStoreDay.set(k, (t.byStoreDay.get(k) ?? 0) + r.total_cents);
    } else {
      t.refunds += 1;
      t.refund_cents += r.total_cents;
    }
  }
  return t;
}

/** An inventory event. */
export function stockEvent(
  kind: InventoryEvent["kind"],
  store: string,
  sku: string,
  quantity: number,
  ts: number,
  id: string,
): InventoryEvent {
  return {
    type: "inventory",
    kind,
    event_id: id,
    store_id: store,
    sku,
    quantity,
    timestamp: new Date(ts).toISOString(),
    ts,
  };
}

/**
 * Counters of one expected store × category bucket (not `revised`: it depends on the watermark
 * the workers saw).
 */
export type CategoryCounters = Totals;

/**
 * Expected store × category buckets, keyed `store|category|minute:<ms>` and `…|hour:<ms>` (UTC
 * bucket start, epoch ms) and `…|day:YYYY-MM-DD` (store-local day): line amounts (quantity ×
 * price − discount) by category; a receipt counts once per category it has a line in. With
 * `stars`, also the whole-store (`store|*|…`) and chain-wide (`*|category|…`, `*|*|…`) buckets.
 */
export function expectedByCategory(
  receipts: ReceiptEvent[],
  { stars = false } = {},
): Map<string, CategoryCounters> {
  const zone = new Map(FIXTURE_STORES.map((s) => [s.id, s.timezone]));
  const out = new Map<string, CategoryCounters>();
  const get = (k: string) => {
    let c = out.get(k);
    if (!c) out.set(k, c = zeroTotals());
    return c;
  };
  for (const r of receipts) {
    const minute = Math.floor(r.ts / 60_000) * 60_000;
    const hour = Math.floor(r.ts / 3_600_000) * 3_600_000;
    const day = localDate(r.ts, zone.get(r.store_id) ?? "UTC");
    for (const bucket of [`minute:${minute}`, `hour:${hour}`, `day:${day}`]) {
      const seen = new Set<string>();
      // With `stars`, each line also counts in its store's '*' row, the chain's row of its
      // category and the chain's '*' row; a receipt is one transaction in each row it reaches.
      const rows = (cat: string) =>
        stars
          ? [`${r.store_id}|${cat}`, `${r.store_id}|*`, `*|${cat}`, `*|*`]
          : [`${r.store_id}|${cat}`];
      for (const [row, l] of r.lines.flatMap((l) => rows(l.category).map((k) => [k, l] as const))) {
        const c = get(`${row}|${bucket}`);
        const cents = l.quantity * l.unit_price_cents - l.discount_cents;
        const first = !seen.has(row);
        seen.add(row);
        if (r.type === "sale") {
          c.sales_cents += cents;
          c.units += l.quantity;
          c.discount_cents += l.discount_cents;
          if (first) c.transactions += 1;
        } else {
          c.refund_cents += cents;
          if (first) c.refunds += 1;
        }
      }
    }
  }
  return out;
}

/** Counters of one expected register day (`register_day`). */
export interface RegisterCounters {
  transactions: number;
  sales_cents: number;
  refunds: number;
  refund_cents: number;
  /** The newest receipt's event time, epoch ms. */
  last_ms: number;
}

/**
 * Expected register days, keyed `store|YYYY-MM-DD|register` (store-local day): sales and their
 * receipt totals, refunds and theirs, and the newest receipt of each.
 */
export function expectedByRegister(receipts: ReceiptEvent[]): Map<string, RegisterCounters> {
  const zone = new Map(FIXTURE_STORES.map((s) => [s.id, s.timezone]));
  const out = new Map<string, RegisterCounters>();
  for (const r of receipts) {
    const k = `${r.store_id}|${localDate(r.ts, zone.get(r.store_id) ?? "UTC")}|${r.register_id}`;
    let c = out.get(k);
    if (!c) {
      out.set(k, c = { transactions: 0, sales_cents: 0, refunds: 0, refund_cents: 0, last_ms: 0 });
    }
    if (r.type === "sale") {
      c.transactions += 1;
      c.sales_cents += r.total_cents;
    } else {
      c.refunds += 1;
      c.refund_cents += r.total_cents;
    }
    c.last_ms = Math.max(c.last_ms, r.ts);
  }
  return out;
}
