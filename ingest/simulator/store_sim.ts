/**
 * One simulated store, a quarter hour at a time: receipts from walk-ins and loyalty customers
 * following the store's local seasonality, promotions, ~2 % refunds of recent sales, inventory
 * (an opening count, daily cycle counts with a little shrinkage, deliveries twice a week, stock
 * that sales deplete and that can run out) and the effect of any anomaly in the quarter.
 * State advances with each quarter, so a store's history is one deterministic sequence.
 */
import { formatMinor } from "../../lib/events.ts";
import { isoInZone, localFields } from "../../lib/timezone.ts";
import { DAY_MS, HOUR_MS } from "../../lib/clock.ts";
import type { Anomaly } from "./anomalies.ts";
import type { Sku } from "./catalog.ts";
import type { SimStore } from "./cities.ts";
import { type Customer, CustomerPool, LOYAL_SHARE } from "./customers.ts";
import { drawCumulative, type Rng, rngFor } from "./prng.ts";
import {
  BASE_DAILY_RECEIPTS,
  expectedReceipts,
  type TrafficShape,
  trafficShare,
} from "./seasonality.ts";

/** The simulator generates a quarter of an hour at a time (and draws receipts per quarter). */
export const QUARTER_MS = 900_000;
/** Share of receipts that are refunds of an earlier sale. */
export const REFUND_SHARE = 0.02;

/** An event in the contract's input shape, with its time for ordering. */
export interface SimEvent {
  ts: number;
  event: Record<string, unknown>;
}

/** What the store sims share: catalog weights by week (promotions) and the chain's anomalies. */
export interface ChainContext {
  seed: number;
  catalog: Sku[];
  /** Cumulative pick weights and discounts for the week containing `t`. */
  weekly(t: number): { cum: Float64Array; promo: Map<number, number> };
  /** Anomalies overlapping [t, t + 1 h) at `storeId`. */
  anomalies(storeId: string, t: number): Anomaly[];
  /** Catalog indexes per category name. */
  byCategory: Map<string, number[]>;
  /** Catalog indexes of Electronics (refund bursts take expensive items). */
  expensive: number[];
  /** How visits spread over the day and week. */
  shape: TrafficShape;
}

interface SaleMemory {
  customerId?: string;
  line: { i: number; qty: number; price: number; discount: number };
}

/** The simulation state of one store. */
export class StoreSim {
  readonly pool: CustomerPool;
  readonly onHand: Int32Array;
  readonly target: Int32Array;
  #recent: SaleMemory[] = [];
  #rng: Rng;
  #started = false;
  /** The traffic scale the shelves are stocked for. */
  #stockedFor = 0;
  /** Receipts numbered so far in the current hour (their ids are `t<hour>-<n>`). */
  #seq = 0;

  constructor(readonly store: SimStore, readonly ctx: ChainContext, start: number) {
    this.pool = new CustomerPool(ctx.seed, store.id, store.size, start);
    this.#rng = rngFor(ctx.seed, "store", store.id, Math.floor(start / HOUR_MS));
    const n = ctx.catalog.length;
    this.onHand = new Int32Array(n);
    this.target = new Int32Array(n);
    ctx.catalog.forEach((s, i) => {
      // About a week of cover at the store's usual pace, plus a floor.
      const perDay = BASE_DAILY_RECEIPTS * store.size * 2.6 * s.weight *
        (1 + (s.maxQty - 1) * 0.15);
      this.target[i] = Math.ceil(perDay * 7) + 6;
    });
  }

  /**
   * Events of quarter `q` (0–3) of the hour starting at `h` (epoch ms on an hour), in time
   * order. Quarters are taken in order, every quarter of an hour before the next hour's; the
   * first quarter also holds the hour's stock events, sign-ups and (the store's first) opening
   * counts. An hour taken in quarters gives the same events as taken whole: generating a quarter
   * at a time keeps a fast live run's memory to a quarter of an hour's events.
   */
  quarter(h: number, q: number, scale: number): SimEvent[] {
    const out: SimEvent[] = [];
    const r = this.#rng;
    const { store, ctx } = this;
    const tz = store.timezone;
    const iso = (t: number) => isoInZone(t, tz);
    const qs = h + q * QUARTER_MS;
    if (!this.#started) {
      this.#started = true;
      ctx.catalog.forEach((s, i) => {
        this.onHand[i] = Math.ceil(this.target[i] * scale);
        out.push(this.#inventory("count", `init-${h}`, s.sku, this.onHand[i], h, iso(h)));
      });
      for (const c of this.pool.customers) out.push(this.#signup(c));
      this.#stockedFor = scale;
    } else if (scale > this.#stockedFor) {
      // Busier from now on (a live run faster than the history it follows): a delivery scales
      // each shelf up with the traffic, so the weeks of cover stay weeks; without it, stock
      // meant for the history's pace sells out within hours and the receipts dwindle.
      const factor = scale / this.#stockedFor;
      ctx.catalog.forEach((s, i) => {
        const qty = Math.ceil(Math.max(this.onHand[i], 1) * factor) - this.onHand[i];
        if (qty <= 0) return;
        this.onHand[i] += qty;
        out.push(this.#inventory("receipt", `rescale-${qs}`, s.sku, qty, qs, iso(qs)));
      });
      this.#stockedFor = scale;
    }
    const day = Math.floor(h / DAY_MS);
    const local = localFields(h, tz);
    if (q === 0) {
      this.#seq = 0;
      if (h % DAY_MS === 0 || out.length) {
        for (const c of this.pool.arrivals(day)) out.push(this.#signup(c));
      }
      this.#stock(h, local.weekday, local.hour, out, iso, scale);
    }

    const base = expectedReceipts(store, local.weekday, local.hour, scale, ctx.shape);
    if (base > 0) {
      // At scale > 1 loyal customers visit proportionally more often, keeping their ~60 % share.
      const loyal = this.pool.dailyVisits(day) * scale *
        trafficShare(store, local.weekday, local.hour, ctx.shape);
      const week = ctx.weekly(h);
      const mid = qs + QUARTER_MS / 2;
      const active = ctx.anomalies(store.id, h).filter((a) => a.start <= mid && mid < a.end);
      if (!active.some((a) => a.kind === "pos_outage")) { // else the store's POS is down
        const spike = active.find((a) => a.kind === "demand_spike");
        const glitch = active.find((a) => a.kind === "price_glitch");
        const burst = active.find((a) => a.kind === "refund_burst");
        const mult = spike ? Number(spike.details.factor ?? 3) : 1;
        const times: [number, boolean][] = [];
        const nAnon = r.poisson(base * (1 - LOYAL_SHARE) / 4 * mult);
        const nLoyal = r.poisson(loyal / 4 * mult);
        for (let k = 0; k < nAnon; k++) times.push([qs + Math.floor(r.next() * QUARTER_MS), false]);
        for (let k = 0; k < nLoyal; k++) times.push([qs + Math.floor(r.next() * QUARTER_MS), true]);
        times.sort((a, b) => a[0] - b[0]);
        for (const [t, isLoyal] of times) {
          const id = `t${h / HOUR_MS}-${++this.#seq}`;
          const customer = isLoyal ? this.pool.draw(r, t) : null;
          const e = r.chance(REFUND_SHARE) && this.#recent.length
            ? this.#refund(id, t, iso(t))
            : this.#sale(id, t, iso(t), local.hour, customer, week, spike, glitch);
          if (e) out.push(e);
        }
        if (burst) {
          const mean = Number(burst.details.refunds) * QUARTER_MS / (burst.end - burst.start);
          const n = r.poisson(mean);
          for (let k = 0; k < n; k++) {
            const t = qs + Math.floor(r.next() * QUARTER_MS);
            out.push(
              this.#burstRefund(`t${h / HOUR_MS}-${++this.#seq}`, t, iso(t), burst.registerId!),
            );
          }
        }
      }
    }
    out.sort((a, b) => a.ts - b.ts);
    return out;
  }

  #signup(c: Customer): SimEvent {
    return {
      ts: c.signup,
      event: {
        type: "customer",
        kind: "signup",
        customer_id: c.id,
        store_id: this.store.id,
        email: `${c.id}@example.com`,
        // Sign-ups are often years old: UTC is as valid and skips a zone lookup per customer.
        timestamp: new Date(c.signup).toISOString(),
      },
    };
  }

  #inventory(
    kind: "count" | "receipt",
    tag: string,
    sku: string,
    quantity: number,
    ts: number,
    timestamp: string,
  ): SimEvent {
    return {
      ts,
      event: {
        type: "inventory",
        kind,
        event_id: `${tag}-${sku}`,
        store_id: this.store.id,
        sku,
        quantity,
        timestamp,
      },
    };
  }

  /**
   * Cycle counts at 05:00 (a twentieth of the catalog a day), deliveries Mon/Thu at 06:00 up to
   * the target, which grows with the traffic scale so a busier store is stocked for it.
   */
  #stock(
    h: number,
    weekday: number,
    hour: number,
    out: SimEvent[],
    iso: (t: number) => string,
    scale: number,
  ) {
    const cat = this.ctx.catalog;
    if (hour === 5) {
      const slice = Math.floor(h / DAY_MS) % 20;
      for (let i = slice; i < cat.length; i += 20) {
        const counted = Math.max(0, this.onHand[i] - this.#rng.poisson(0.4));
        this.onHand[i] = counted;
        out.push(this.#inventory("count", `cnt-${h}`, cat[i].sku, counted, h, iso(h)));
      }
    }
    if (hour === 6 && (weekday === 1 || weekday === 4)) {
      for (let i = 0; i < cat.length; i++) {
        const target = Math.ceil(this.target[i] * scale);
        if (this.onHand[i] >= target * 0.6) continue;
        const qty = target - this.onHand[i];
        this.onHand[i] += qty;
        out.push(this.#inventory("receipt", `dlv-${h}`, cat[i].sku, qty, h, iso(h)));
      }
    }
  }

  #sale(
    id: string,
    t: number,
    timestamp: string,
    hour: number,
    customer: Customer | null,
    week: { cum: Float64Array; promo: Map<number, number> },
    spike: Anomaly | undefined,
    glitch: Anomaly | undefined,
  ): SimEvent | null {
    const r = this.#rng;
    const { catalog, byCategory } = this.ctx;
    const picked = new Map<number, number>();
    const size = Math.min(12, 1 + r.poisson(spike ? 2.2 : 1.6));
    const spikeItems = spike ? byCategory.get(String(spike.details.category)) : undefined;
    for (let k = 0; k < size; k++) {
      const i = spikeItems && r.chance(0.5)
        ? r.pick(spikeItems)
        : drawCumulative(week.cum, r.next());
      const s = catalog[i];
      const qty = s.maxQty > 1 && r.chance(0.3) ? r.int(2, s.maxQty) : 1;
      picked.set(i, (picked.get(i) ?? 0) + qty);
    }
    let glitchIdx = -1;
    if (glitch && r.chance(0.35)) {
      glitchIdx = catalog.findIndex((s) => s.sku === glitch.sku);
      picked.set(glitchIdx, (picked.get(glitchIdx) ?? 0) + r.int(1, 4));
    }
    const lines: Record<string, unknown>[] = [];
    let total = 0;
    let memory: SaleMemory["line"] | null = null;
    for (const [i, want] of picked) {
      const qty = Math.min(want, this.onHand[i]);
      if (qty <= 0) continue; // out of stock: the shopper leaves without it
      this.onHand[i] -= qty;
      const s = catalog[i];
      const price = glitch && glitch.sku === s.sku
        ? Number(glitch.details.glitch_price_cents)
        : s.priceCents;
      const pct = i === glitchIdx ? undefined : week.promo.get(i);
      const discount = pct ? Math.round(price * qty * pct) : 0;
      const line: Record<string, unknown> = {
        sku: s.sku,
        category: s.category,
        quantity: qty,
        unit_price: formatMinor(price),
      };
      if (discount) line.discount = formatMinor(discount);
      lines.push(line);
      total += price * qty - discount;
      if (!memory || price * qty > memory.price * memory.qty) {
        memory = { i, qty, price, discount };
      }
    }
    if (!lines.length) return null;
    const register = r.int(1, this.store.registers);
    const event: Record<string, unknown> = {
      type: "sale",
      transaction_id: id,
      store_id: this.store.id,
      register_id: `r${register}`,
      cashier_id: `k${register}${hour < 15 ? "a" : "b"}`,
      timestamp,
      currency: "USD",
      payment: r.chance(0.68) ? "card" : r.chance(0.6) ? "cash" : "mobile",
      lines,
      total: formatMinor(total),
    };
    if (customer) event.customer_id = customer.id;
    this.#recent.push({ customerId: customer?.id, line: memory! });
    if (this.#recent.length > 300) this.#recent.shift();
    return { ts: t, event };
  }

  #refund(id: string, t: number, timestamp: string): SimEvent {
    const r = this.#rng;
    const k = r.int(0, this.#recent.length - 1);
    const sale = this.#recent[k];
    this.#recent.splice(k, 1);
    const { i, qty, price, discount } = sale.line;
    const s = this.ctx.catalog[i];
    this.onHand[i] += qty;
    const line: Record<string, unknown> = {
      sku: s.sku,
      category: s.category,
      quantity: qty,
      unit_price: formatMinor(price),
    };
    if (discount) line.discount = formatMinor(discount);
    const event: Record<string, unknown> = {
      type: "refund",
      transaction_id: id,
      store_id: this.store.id,
      register_id: `r${r.int(1, this.store.registers)}`,
      timestamp,
      currency: "USD",
      payment: "card",
      lines: [line],
      total: formatMinor(price * qty - discount),
    };
    if (sale.customerId) event.customer_id = sale.customerId;
    return { ts: t, event };
  }

  #burstRefund(id: string, t: number, timestamp: string, register: string): SimEvent {
    const r = this.#rng;
    const i = r.pick(this.ctx.expensive);
    const s = this.ctx.catalog[i];
    this.onHand[i] += 1;
    return {
      ts: t,
      event: {
        type: "refund",
        transaction_id: id,
        store_id: this.store.id,
        register_id: register,
        cashier_id: `k${register.slice(1)}x`,
        timestamp,
        currency: "USD",
        payment: "card",
        lines: [{
          sku: s.sku,
          category: s.category,
          quantity: 1,
          unit_price: formatMinor(s.priceCents),
        }],
        total: formatMinor(s.priceCents),
      },
    };
  }
}
