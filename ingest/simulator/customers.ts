/**
 * Loyalty customers of one store, with individual purchase rates and a churn process that a
 * model can learn: each customer has a lifetime (exponential, mean one year); in the 60 days
 * before leaving their visits fade to a quarter of their usual rate, then stop for good. So
 * "no purchase in the next 90 days" is predictable from falling frequency and growing recency,
 * yet noisy (low-rate loyal customers look alike at first).
 *
 * About 60 % of receipts carry a customer id: the pool is sized so the active customers' rates
 * sum to 60 % of the store's expected daily receipts, and new customers sign up at the rate
 * others churn, keeping the pool steady.
 */
import { drawCumulative, type Rng, rngFor } from "./prng.ts";
import { BASE_DAILY_RECEIPTS } from "./seasonality.ts";
import { DAY_MS } from "../../lib/clock.ts";

/** Share of receipts from loyalty customers. */
export const LOYAL_SHARE = 0.6;
/** Mean customer lifetime, days. */
export const MEAN_LIFETIME_DAYS = 365;
/** Days over which a leaving customer's visits fade. */
export const FADE_DAYS = 60;
const MEAN_RATE = 1 / 8; // visits per day of an engaged customer, on average

/** One customer (times in epoch ms). */
export interface Customer {
  id: string;
  rate: number;
  signup: number;
  churn: number;
}

/** Engagement (0..1) of a customer at `t`: 1, fading before churn, 0 after. */
export function engagement(c: Customer, t: number): number {
  if (t < c.signup || t >= c.churn) return 0;
  const left = (c.churn - t) / DAY_MS;
  return left >= FADE_DAYS ? 1 : 0.25 + 0.75 * (left / FADE_DAYS);
}

/** The customer pool of one store: built at `start`, growing day by day. */
export class CustomerPool {
  readonly customers: Customer[] = [];
  #next = 0;
  #daysBuilt = new Set<number>();
  #active: Customer[] = [];
  #cum = new Float64Array(0);
  #activeDay = -1;
  #activeTotal = 0;

  constructor(
    readonly seed: number,
    readonly storeId: string,
    readonly size: number,
    readonly start: number,
  ) {
    const r = rngFor(seed, "pool", storeId, Math.floor(start / DAY_MS));
    const n = Math.round(LOYAL_SHARE * BASE_DAILY_RECEIPTS * size / MEAN_RATE);
    for (let i = 0; i < n; i++) {
      // Memoryless lifetimes: customers alive at the start have exponential age and residual life.
      const signup = start - Math.min(5 * 365, r.exp(MEAN_LIFETIME_DAYS)) * DAY_MS;
      this.#add(r, signup, start + r.exp(MEAN_LIFETIME_DAYS) * DAY_MS);
    }
  }

  #add(r: Rng, signup: number, churn: number): Customer {
    // Log-normal purchase rates: a few very frequent customers, many occasional ones.
    const rate = MEAN_RATE * Math.exp(0.8 * r.normal() - 0.32);
    const c = { id: `${this.storeId}-c${++this.#next}`, rate, signup, churn };
    this.customers.push(c);
    return c;
  }

  /** Customers who sign up during day `day` (epoch days), created once, in signup order. */
  arrivals(day: number): Customer[] {
    if (this.#daysBuilt.has(day) || day * DAY_MS < this.start) return [];
    this.#daysBuilt.add(day);
    const r = rngFor(this.seed, "arrivals", this.storeId, day);
    const mean = LOYAL_SHARE * BASE_DAILY_RECEIPTS * this.size / MEAN_RATE / MEAN_LIFETIME_DAYS;
    const n = r.poisson(mean);
    const times = Array.from({ length: n }, () => day * DAY_MS + r.next() * DAY_MS).sort((a, b) =>
      a - b
    );
    return times.map((t) => this.#add(r, t, t + r.exp(MEAN_LIFETIME_DAYS) * DAY_MS));
  }

  #refresh(day: number) {
    if (this.#activeDay === day) return;
    this.#activeDay = day;
    const mid = (day + 0.5) * DAY_MS;
    this.#active = this.customers.filter((c) =>
      c.signup < (day + 1) * DAY_MS && c.churn > day * DAY_MS
    );
    this.#cum = new Float64Array(this.#active.length);
    let total = 0;
    this.#active.forEach((c, i) => {
      total += c.rate * engagement(c, mid);
      this.#cum[i] = total;
    });
    this.#activeTotal = total;
  }

  /** Expected loyal visits on day `day` at traffic scale 1 (sum of engaged rates). */
  dailyVisits(day: number): number {
    this.#refresh(day);
    return this.#activeTotal;
  }

  /** A customer drawn by their current rate, active at `t`, or null. */
  draw(r: Rng, t: number): Customer | null {
    this.#refresh(Math.floor(t / DAY_MS));
    if (!this.#active.length || this.#activeTotal <= 0) return null;
    for (let tries = 0; tries < 4; tries++) {
      const c = this.#active[drawCumulative(this.#cum, r.next())];
      if (t >= c.signup && t < c.churn) return c;
    }
    return null;
  }
}
