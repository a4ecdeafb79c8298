/**
 * The simulated chain as one deterministic event source: every store's quarter hour generated in
 * turn (`StoreSim`), merged in time order, with the anomaly labels that apply. The same seed, stores,
 * start, scale and shape always give the same events, whatever the pace they are taken at.
 *
 * `until(t)` returns every event with a timestamp before `t` (generating quarter hours as needed,
 * keeping later ones queued), so a backfill up to "now" and the live run that follows share
 * one history without gaps or repeats.
 */
import { anomaliesForWeek, type Anomaly } from "./anomalies.ts";
import { buildCatalog, promotionsForWeek, type Sku } from "./catalog.ts";
import { type SimStore, simStores } from "./cities.ts";
import type { ChainContext, SimEvent } from "./store_sim.ts";
import type { TrafficShape } from "./seasonality.ts";
import { QUARTER_MS, StoreSim } from "./store_sim.ts";
import { HOUR_MS, WEEK_MS } from "../../lib/clock.ts";

/** How to build a {@link Simulator}. */
export interface SimulatorOptions {
  seed: number;
  /** Number of stores (1–50). */
  stores?: number;
  /** Start of the simulated history (floored to the hour). */
  start: number;
  /** Traffic multiplier; 1 ≈ 25,000 receipts/day across 50 stores (~0.29/s). */
  scale?: number;
  /** `daily` (default): opening hours, intraday and weekly shape; `flat`: the same every hour. */
  shape?: TrafficShape;
}

/** Generates the chain's events in time order. */
export class Simulator {
  readonly seed: number;
  readonly stores: SimStore[];
  readonly catalog: Sku[];
  readonly start: number;
  scale: number;
  #sims: StoreSim[];
  /** Start of the next quarter hour not generated yet. */
  #next: number;
  #taken: number;
  #queue: SimEvent[] = [];
  #weeks = new Map<number, { cum: Float64Array; promo: Map<number, number> }>();
  #anomalyWeeks = new Map<number, Anomaly[]>();
  #labels: Anomaly[] = [];

  constructor(opts: SimulatorOptions) {
    this.seed = opts.seed;
    this.stores = simStores(opts.stores ?? 50);
    this.catalog = buildCatalog();
    this.start = Math.floor(opts.start / HOUR_MS) * HOUR_MS;
    this.scale = opts.scale ?? 1;
    this.#next = this.start;
    this.#taken = this.start;
    const byCategory = new Map<string, number[]>();
    this.catalog.forEach((s, i) => {
      if (!byCategory.has(s.category)) byCategory.set(s.category, []);
      byCategory.get(s.category)!.push(i);
    });
    const ctx: ChainContext = {
      seed: this.seed,
      catalog: this.catalog,
      byCategory,
      expensive: byCategory.get("Electronics")!.filter((i) => this.catalog[i].priceCents >= 3000),
      shape: opts.shape ?? "daily",
      weekly: (t) => this.#week(Math.floor(t / WEEK_MS)),
      anomalies: (storeId, t) =>
        this.#anomaliesAround(t).filter((a) =>
          a.storeId === storeId && a.end > t && a.start < t + HOUR_MS
        ),
    };
    this.#sims = this.stores.map((s) => new StoreSim(s, ctx, this.start));
  }

  #week(w: number) {
    let v = this.#weeks.get(w);
    if (!v) {
      const promo = promotionsForWeek(this.seed, w, this.catalog);
      const cum = new Float64Array(this.catalog.length);
      let total = 0;
      this.catalog.forEach((s, i) => {
        total += s.weight * (promo.has(i) ? 2.5 : 1); // promotions lift their SKUs
        cum[i] = total;
      });
      v = { cum, promo };
      this.#weeks.set(w, v);
      if (this.#weeks.size > 8) this.#weeks.delete(this.#weeks.keys().next().value!);
    }
    return v;
  }

  #anomaliesAround(t: number): Anomaly[] {
    const w = Math.floor(t / WEEK_MS);
    const out: Anomaly[] = [];
    for (const k of [w - 1, w]) {
      let list = this.#anomalyWeeks.get(k);
      if (!list) {
        list = anomaliesForWeek(this.seed, k, this.stores, this.catalog);
        this.#anomalyWeeks.set(k, list);
        if (this.#anomalyWeeks.size > 8) {
          this.#anomalyWeeks.delete(this.#anomalyWeeks.keys().next().value!);
        }
      }
      out.push(...list);
    }
    return out;
  }

  /** Start of the next quarter hour not generated yet. */
  get generatedUntil(): number {
    return this.#next;
  }

  /**
   * Generates one more quarter hour for every store into the queue (a quarter, not an hour: a
   * live run at hundreds of receipts a second would otherwise hold an hour of events at once).
   */
  #generate() {
    const qs = this.#next;
    this.#next += QUARTER_MS;
    const h = Math.floor(qs / HOUR_MS) * HOUR_MS;
    const q = (qs - h) / QUARTER_MS;
    const batch: SimEvent[] = [];
    for (const sim of this.#sims) {
      for (const e of sim.quarter(h, q, this.scale)) batch.push(e);
    }
    batch.sort((a, b) => a.ts - b.ts);
    for (const a of this.#anomaliesAround(qs)) {
      const startsNow = a.start >= qs && a.start < qs + QUARTER_MS;
      const runningAtStart = qs === this.start && a.start < qs && a.end > qs;
      if (startsNow || runningAtStart) this.#labels.push(a);
    }
    this.#labels.sort((a, b) => a.start - b.start);
    this.#queue = this.#queue.length ? mergeSorted(this.#queue, batch) : batch;
  }

  /** The `t` of the last {@link until} (the start, before the first). */
  get takenUntil(): number {
    return this.#taken;
  }

  /** Every event with timestamp < `t` not returned before, in time order. */
  until(t: number): SimEvent[] {
    this.#taken = Math.max(this.#taken, t);
    const out: SimEvent[] = [];
    const take = (limit: number) => {
      let n = 0;
      while (n < this.#queue.length && this.#queue[n].ts < limit) n++;
      if (!n) return;
      for (let i = 0; i < n; i++) out.push(this.#queue[i]);
      this.#queue = this.#queue.slice(n);
    };
    // Drain a quarter at a time so the queue holds at most about a quarter hour of events.
    while (this.#next < t) {
      this.#generate();
      take(Math.min(t, this.#next));
    }
    take(t);
    return out;
  }

  /** Labels of anomalies that started before `t` and were not returned before, in start order. */
  labelsUntil(t: number): Anomaly[] {
    let n = 0;
    while (n < this.#labels.length && this.#labels[n].start < t) n++;
    return this.#labels.splice(0, n);
  }
}

function mergeSorted(a: SimEvent[], b: SimEvent[]): SimEvent[] {
  const out: SimEvent[] = new Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i].ts <= b[j].ts ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
