/**
 * A deterministic demo dataset for the dashboard's tests, screenshots and benchmark: stores
 * across the US, receipts shaped like a trading day (quiet mornings, lunch and evening peaks)
 * for today up to `now` and for chosen past days, stock counts, and optionally model outputs
 * (hourly forecasts for today, stock risk), so every block of every page has something to show.
 *
 * Receipts go through the pipeline's own transaction (`applyEvents`), so rollups, SKU days and
 * inventory are exactly what the workers would have written.
 */
import type { Runtime } from "../runtime.ts";
import type { InventoryEvent, ReceiptEvent } from "../events.ts";
import { addStore, type NewStore } from "../stores.ts";
import { applyEvents, type DecodedEntry } from "../../pipeline/apply.ts";
import { compactOnce } from "../../pipeline/compact.ts";
import { localMidnight } from "./format.ts";
import { rng } from "../random.ts";

/** The demo stores (New York time, USD). */
export const DEMO_STORES: NewStore[] = [
  { id: "NYC-01", name: "Manhattan", city: "New York", lat: 40.754, lon: -73.984 },
  { id: "BOS-01", name: "Boston Back Bay", city: "Boston", lat: 42.349, lon: -71.082 },
  { id: "PHL-01", name: "Philadelphia", city: "Philadelphia", lat: 39.952, lon: -75.165 },
  { id: "DC-01", name: "Washington", city: "Washington", lat: 38.904, lon: -77.032 },
  { id: "ATL-01", name: "Atlanta", city: "Atlanta", lat: 33.749, lon: -84.388 },
  { id: "MIA-01", name: "Miami", city: "Miami", lat: 25.774, lon: -80.193 },
  { id: "CHI-01", name: "Chicago Loop", city: "Chicago", lat: 41.881, lon: -87.63 },
  { id: "DET-01", name: "Detroit", city: "Detroit", lat: 42.331, lon: -83.046 },
  { id: "PIT-01", name: "Pittsburgh", city: "Pittsburgh", lat: 40.44, lon: -79.996 },
  { id: "CLT-01", name: "Charlotte", city: "Charlotte", lat: 35.227, lon: -80.843 },
].map((s) => ({ ...s, timezone: "America/New_York", currency: "USD", country: "US" }));

const CATALOG = [
  ["SKU-1001", "grocery", 349],
  ["SKU-1002", "grocery", 199],
  ["SKU-1003", "grocery", 529],
  ["SKU-2001", "beverages", 249],
  ["SKU-2002", "beverages", 899],
  ["SKU-3001", "household", 1299],
  ["SKU-3002", "household", 649],
  ["SKU-4001", "toys", 2499],
  ["SKU-5001", "apparel", 3999],
  ["SKU-5002", "apparel", 1999],
] as const;

/** Receipts per hour by local hour (0-23): closed at night, peaks at lunch and after work. */
const PROFILE = [0, 0, 0, 0, 0, 0, 0, 1, 3, 4, 5, 6, 9, 8, 5, 5, 6, 9, 10, 7, 4, 2, 0, 0];

/** What to seed. */
export interface SeedOptions {
  now: number;
  /** Past days to fill whole (7 = same weekday last week). Default [7]. */
  pastDays?: number[];
  stores?: NewStore[];
  /** Receipts per profile unit per hour per store (default 1). */
  scale?: number;
  seed?: number;
  /** Also write forecasts for today and stock risk (model outputs). */
  models?: boolean;
}

/** Receipts of one store over [from, to), deterministic for the seed. */
function receiptsFor(
  store: NewStore,
  from: number,
  to: number,
  rand: () => number,
  scale: number,
  tag: string,
): ReceiptEvent[] {
  const out: ReceiptEvent[] = [];
  const weight = 0.6 + (store.id.charCodeAt(0) % 5) / 5;
  let n = 0;
  for (let h = from; h < to; h += 3_600_000) {
    const hour = Math.floor((h - from) / 3_600_000) % 24;
    const k = Math.round(PROFILE[hour] * scale * weight * (0.7 + rand() * 0.6));
    for (let i = 0; i < k; i++) {
      const ts = h + Math.floor(rand() * 3_600_000);
      if (ts >= to) continue;
      const lines = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => {
        const [sku, category, price] = CATALOG[Math.floor(rand() * rand() * CATALOG.length)];
        return {
          sku,
          category,
          quantity: 1 + Math.floor(rand() * 2),
          unit_price_cents: price,
          discount_cents: 0,
        };
      });
      const refund = rand() < 0.03;
      const total = lines.reduce((a, l) => a + l.quantity * l.unit_price_cents, 0);
      out.push({
        type: refund ? "refund" : "sale",
        transaction_id: `${tag}-${store.id}-${n++}`,
        store_id: store.id,
        register_id: `R${1 + Math.floor(rand() * 3)}`,
        timestamp: new Date(ts).toISOString(),
        ts,
        currency: store.currency ?? "USD",
        payment: rand() < 0.7 ? "card" : "cash",
        lines,
        total_cents: total,
      });
    }
  }
  return out;
}

/** Seeds the demo; returns how many receipts were applied. */
export async function seedDemo(rt: Runtime, opts: SeedOptions): Promise<number> {
  const stores = opts.stores ?? DEMO_STORES;
  const rand = rng(opts.seed ?? 42);
  for (const s of stores) await addStore(rt.sql, s, { upsert: true });
  const info = new Map(
    stores.map((s) => [s.id, { currency: s.currency ?? "USD", timezone: s.timezone }]),
  );
  const events: (ReceiptEvent | InventoryEvent)[] = [];
  for (const s of stores) {
    const midnight = localMidnight(opts.now, s.timezone);
    events.push(...receiptsFor(s, midnight, opts.now, rand, opts.scale ?? 1, "t"));
    for (const d of opts.pastDays ?? [7]) {
      const m = localMidnight(midnight - d * 86_400_000 + 43_200_000, s.timezone);
      events.push(...receiptsFor(s, m, m + 86_400_000, rand, opts.scale ?? 1, `d${d}`));
    }
    CATALOG.forEach(([sku], i) => {
      const quantity = (i * 7 + s.id.length * 3) % 11 === 0 ? 0 : 5 + Math.floor(rand() * 60);
      events.push({
        type: "inventory",
        kind: "count",
        event_id: `seed-${s.id}-${sku}`,
        store_id: s.id,
        sku,
        quantity,
        timestamp: new Date(midnight).toISOString(),
        ts: midnight,
      });
    });
  }
  const entries: DecodedEntry[] = events.map((event, i) => ({
    stream: "seed",
    id: `0-${i + 1}`,
    family: event.type === "inventory" ? "inventory" : "sales",
    partition: 0,
    payload: "",
    event,
  }));
  for (let i = 0; i < entries.length; i += 2000) {
    await applyEvents(rt, entries.slice(i, i + 2000), { watermarks: new Map(), stores: info });
  }
  await compactOnce(rt); // hours and days (no worker runs here to fold them)
  if (opts.models) await seedModels(rt, stores, opts.now, rand);
  return events.filter((e) => e.type !== "inventory").length;
}

/** Forecast rows for today's hours and stock risk, as the model jobs would write them. */
async function seedModels(rt: Runtime, stores: NewStore[], now: number, rand: () => number) {
  const midnight = localMidnight(now, stores[0].timezone);
  const hours = Array.from({ length: 24 }, (_, h) => midnight + h * 3_600_000);
  for (const id of ["*", ...stores.map((s) => s.id)]) {
    const factor = id === "*" ? stores.length : 1;
    const rows = hours.map((b, h) => {
      const p50 = Math.round(PROFILE[h] * 1400 * factor);
      return {
        store_id: id,
        category: "*",
        resolution: "hour",
        bucket: new Date(b),
        p10_cents: Math.round(p50 * 0.7),
        p50_cents: p50,
        p90_cents: Math.round(p50 * 1.35),
        model: "forecast@seed",
      };
    });
    await rt.sql`insert into forecasts ${rt.sql(rows)} on conflict do nothing`;
  }
  const inv = await rt.sql<{ store_id: string; sku: string; on_hand: number }[]>`
    select store_id, sku, on_hand from inventory`;
  const risk = inv.map((r) => {
    const demand = Math.round((2 + rand() * 12) * 10) / 10;
    const cover = r.on_hand <= 0 ? 0 : Math.round(r.on_hand / demand * 10) / 10;
    return {
      store_id: r.store_id,
      sku: r.sku,
      daily_demand: demand,
      on_hand: r.on_hand,
      days_of_cover: cover,
      stockout_date: new Date(now + cover * 86_400_000).toISOString().slice(0, 10),
      reorder_qty: cover < 7 ? Math.ceil(demand * 14 - Math.max(0, r.on_hand)) : 0,
    };
  });
  if (risk.length) await rt.sql`insert into stock_risk ${rt.sql(risk)} on conflict do nothing`;
}
