/**
 * Injected, labelled anomalies, so detectors and alerts can be scored against the truth. Each
 * simulated week (weeks counted from the Unix epoch, UTC) gets one of each kind at a store,
 * day and busy local hour drawn from the seed:
 *
 * - refund_burst: 18–30 refunds of expensive items at one register within 45 minutes;
 * - pos_outage:   a store sends nothing for 3 hours;
 * - demand_spike: a store's traffic ×3 for 3 hours, baskets leaning to one category;
 * - price_glitch: one popular SKU rings up at 1/100 of its price for 2 hours (and sells fast).
 */
import type { SimStore } from "./cities.ts";
import { CATEGORY_NAMES, type Sku } from "./catalog.ts";
import { localToInstant } from "../../lib/timezone.ts";
import { DAY_MS, WEEK_MS } from "../../lib/clock.ts";
import { rngFor } from "./prng.ts";

/** Kinds of injected anomaly (the `kind` column of anomaly_labels). */
export type AnomalyKind = "refund_burst" | "pos_outage" | "demand_spike" | "price_glitch";

/** One injected anomaly; `details` go to anomaly_labels.details. */
export interface Anomaly {
  kind: AnomalyKind;
  storeId: string;
  registerId?: string;
  sku?: string;
  start: number;
  end: number;
  details: Record<string, unknown>;
}

const DURATION_MIN: Record<AnomalyKind, number> = {
  refund_burst: 45,
  pos_outage: 180,
  demand_spike: 180,
  price_glitch: 120,
};

/** The anomalies of week `week` (epoch weeks) for this chain. */
export function anomaliesForWeek(
  seed: number,
  week: number,
  stores: SimStore[],
  catalog: Sku[],
): Anomaly[] {
  const r = rngFor(seed, "anomalies", week);
  const out: Anomaly[] = [];
  for (const kind of Object.keys(DURATION_MIN) as AnomalyKind[]) {
    const store = stores[r.int(0, stores.length - 1)];
    const dayStart = week * WEEK_MS + r.int(0, 6) * DAY_MS;
    // A busy local hour on that UTC day's local date: from an hour after opening to 4 h before close.
    const d = new Date(dayStart);
    const probeWeekday = d.getUTCDay();
    const [open, close] = store.hours[probeWeekday];
    const hour = r.int(open + 1, Math.max(open + 1, close - 4));
    const start = localToInstant({
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour,
      minute: r.int(0, 3) * 15,
      second: 0,
    }, store.timezone);
    const end = start + DURATION_MIN[kind] * 60_000;
    const a: Anomaly = { kind, storeId: store.id, start, end, details: {} };
    if (kind === "refund_burst") {
      a.registerId = `r${r.int(1, store.registers)}`;
      a.details = { refunds: r.int(18, 30) };
    } else if (kind === "demand_spike") {
      a.details = { factor: 3, category: CATEGORY_NAMES[r.int(0, CATEGORY_NAMES.length - 1)] };
    } else if (kind === "price_glitch") {
      // One of the 40 most popular SKUs, so it shows up in the window.
      const popular = catalog.map((s, i) => [s.weight, i] as const).sort((x, y) => y[0] - x[0]);
      const sku = catalog[popular[r.int(0, 39)][1]];
      a.sku = sku.sku;
      a.details = {
        normal_price_cents: sku.priceCents,
        glitch_price_cents: Math.max(1, Math.round(sku.priceCents / 100)),
      };
    } else a.details = { expected_receipts: "none" };
    out.push(a);
  }
  return out;
}

/** Every anomaly overlapping [from, to). */
export function anomaliesBetween(
  seed: number,
  from: number,
  to: number,
  stores: SimStore[],
  catalog: Sku[],
): Anomaly[] {
  const out: Anomaly[] = [];
  for (let w = Math.floor(from / WEEK_MS) - 1; w <= Math.floor(to / WEEK_MS); w++) {
    for (const a of anomaliesForWeek(seed, w, stores, catalog)) {
      if (a.end > from && a.start < to) out.push(a);
    }
  }
  return out;
}
