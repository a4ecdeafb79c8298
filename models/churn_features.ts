/**
 * Churn features per customer at a cutoff time, from their sale receipts before it: recency,
 * frequency, monetary value, tenure, the trend of the gap between purchases, the basket trend,
 * how overdue they are against their own rhythm, recent activity, and the BG/NBD chance of no
 * purchase within the horizon (churn_bgnbd.ts). Plus the RFM segment.
 */
import type { Sql } from "../lib/db.ts";
import { DAY_MS } from "./calendar.ts";
import { type BgNbdParams, pQuiet, type Rfm } from "./churn_bgnbd.ts";

/** Feature names, in vector order. */
export const CHURN_FEATURES = [
  "recency_days",
  "frequency",
  "monetary",
  "tenure_days",
  "gap_trend",
  "basket_trend",
  "overdue",
  "recent_orders",
  "quiet_chance",
] as const;

/** One churn feature's name. */
export type ChurnFeature = (typeof CHURN_FEATURES)[number];

/**
 * Whether a high value of the feature is what its reason text calls a risk ("no purchase for 45
 * days" is a high recency; "only 2 orders" a low frequency). A feature is only given as a reason
 * when the customer is on that side of the average, so the words are true of them.
 */
export const RISKY_WHEN_HIGH: Record<ChurnFeature, boolean> = {
  recency_days: true,
  frequency: false,
  monetary: false,
  tenure_days: false,
  gap_trend: true,
  basket_trend: false,
  overdue: true,
  recent_orders: false,
  quiet_chance: true,
};

/** The fitted BG/NBD population and the label horizon the quiet_chance feature is about. */
export interface QuietModel {
  params: BgNbdParams;
  horizonDays: number;
}

/** One customer's purchase history: times (ms, ascending) and totals (cents). */
export interface History {
  customer: string;
  times: number[];
  totals: number[];
}

/** Raw facts used for reason wording, beside the model's vector. */
export interface Facts {
  recencyDays: number;
  orders: number;
  avgOrderCents: number;
  tenureDays: number;
  typicalGapDays: number | null;
  gapTrend: number;
  basketTrend: number;
  recentOrders: number;
  /** BG/NBD P(no purchase in the next `horizonDays`); absent for versions without it. */
  quietChance?: number;
  horizonDays?: number;
}

/** Loads sale receipts with a customer, grouped per customer, ascending. */
export async function loadHistories(sql: Sql, until: number): Promise<History[]> {
  const rows = await sql<{ customer_id: string; ts: Date; total_cents: number }[]>`
    select customer_id, ts, total_cents from receipts
    where customer_id is not null and type = 'sale' and ts < ${new Date(until)}
    order by customer_id, ts`;
  const out: History[] = [];
  let cur: History | null = null;
  for (const r of rows) {
    if (!cur || cur.customer !== r.customer_id) {
      cur = { customer: r.customer_id, times: [], totals: [] };
      out.push(cur);
    }
    cur.times.push(new Date(r.ts).getTime());
    cur.totals.push(r.total_cents);
  }
  return out;
}

/** The BG/NBD summary of a history cut at `at` (days since the first purchase), or null. */
export function rfmAt(h: History, at: number): Rfm | null {
  let n = 0;
  while (n < h.times.length && h.times[n] < at) n++;
  if (!n) return null;
  return { x: n - 1, tx: (h.times[n - 1] - h.times[0]) / DAY_MS, T: (at - h.times[0]) / DAY_MS };
}

const mean = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;

/**
 * Features of a history cut at `at` (only purchases before it count), or null if none. Without
 * `quiet` the vector stops before quiet_chance: the layout of versions trained before it existed.
 */
export function featuresAt(
  h: History,
  at: number,
  quiet?: QuietModel,
): { x: number[]; facts: Facts } | null {
  let n = 0;
  while (n < h.times.length && h.times[n] < at) n++;
  if (!n) return null;
  const times = h.times.slice(0, n), totals = h.totals.slice(0, n);
  const recency = (at - times[n - 1]) / DAY_MS;
  const tenure = (at - times[0]) / DAY_MS;
  const gaps = times.slice(1).map((t, i) => (t - times[i]) / DAY_MS);
  const typical = gaps.length ? mean(gaps) : null;
  const gapTrend = gaps.length >= 3
    ? Math.log((mean(gaps.slice(-2)) + 1) / (mean(gaps.slice(0, -2)) + 1))
    : 0;
  const basketTrend = n >= 4
    ? Math.log((mean(totals.slice(-3)) + 100) / (mean(totals.slice(0, -3)) + 100))
    : 0;
  const recent = times.filter((t) => t >= at - 90 * DAY_MS).length;
  const rhythm = typical ?? Math.max(30, tenure);
  const avg = mean(totals);
  const x = [
    Math.log1p(recency),
    Math.log1p(n),
    Math.log1p(avg / 100),
    Math.log1p(tenure),
    gapTrend,
    basketTrend,
    Math.log1p(recency / Math.max(1, rhythm)),
    Math.log1p(recent),
  ];
  const facts: Facts = {
    recencyDays: recency,
    orders: n,
    avgOrderCents: avg,
    tenureDays: tenure,
    typicalGapDays: typical,
    gapTrend,
    basketTrend,
    recentOrders: recent,
  };
  if (quiet) {
    const q = pQuiet(quiet.params, rfmAt(h, at)!, quiet.horizonDays);
    const qc = Math.min(1 - 1e-6, Math.max(1e-6, q));
    x.push(Math.log(qc / (1 - qc)));
    facts.quietChance = q;
    facts.horizonDays = quiet.horizonDays;
  }
  return { x, facts };
}

/** RFM segments. */
export type Segment = "champions" | "loyal" | "at_risk" | "hibernating" | "lost" | "new";

function quintiles(values: number[]): (v: number) => number {
  const s = [...values].sort((a, b) => a - b);
  const cut = [0.2, 0.4, 0.6, 0.8].map((q) => s[Math.min(s.length - 1, Math.floor(q * s.length))]);
  return (v) => 1 + cut.filter((c) => v > c).length;
}

/**
 * RFM segment per customer from recency and frequency/monetary quintiles (5 = best):
 * new = first purchase in the last 30 days; champions R>=4,F>=4; loyal R>=3,F>=3;
 * at_risk R<=2,F>=3; lost R=1; hibernating otherwise (R=2 with few orders, or recent but rare).
 */
export function rfmSegments(facts: Facts[]): Segment[] {
  const r = quintiles(facts.map((f) => -f.recencyDays));
  const fq = quintiles(facts.map((f) => f.orders));
  const m = quintiles(facts.map((f) => f.orders * f.avgOrderCents));
  return facts.map((f) => {
    // F and M move together for most customers; their rounded mean is the "value" axis.
    const R = r(-f.recencyDays), F = Math.round((fq(f.orders) + m(f.orders * f.avgOrderCents)) / 2);
    if (f.tenureDays < 30) return "new";
    if (R >= 4 && F >= 4) return "champions";
    if (R >= 3 && F >= 3) return "loyal";
    if (R <= 2 && F >= 3) return "at_risk";
    if (R === 1) return "lost";
    return "hibernating";
  });
}

/** Plain-words reason for a feature that pushes churn risk up. */
export function reasonText(feature: string, f: Facts): string {
  const d = (x: number) => Math.round(x);
  switch (feature) {
    case "recency_days":
      return `no purchase for ${d(f.recencyDays)} days`;
    case "overdue":
      return f.typicalGapDays !== null
        ? `overdue: last purchase ${d(f.recencyDays)} days ago, usually every ${
          f.typicalGapDays < 1 ? "day or more often" : `${d(f.typicalGapDays)} days`
        }`
        : `only one purchase, ${d(f.recencyDays)} days ago`;
    case "frequency":
      return `only ${f.orders} order${f.orders === 1 ? "" : "s"} so far`;
    case "monetary":
      return `low average spend (${(f.avgOrderCents / 100).toFixed(2)} per order)`;
    case "tenure_days":
      return `new customer (first purchase ${d(f.tenureDays)} days ago)`;
    case "gap_trend":
      return "visits are getting less frequent";
    case "basket_trend":
      return "baskets are getting smaller";
    case "recent_orders":
      return `few orders in the last 90 days (${f.recentOrders})`;
    case "quiet_chance": {
      // Said only of customers whose BG/NBD chance is above the average one (RISKY_WHEN_HIGH).
      const pace = f.orders === 1
        ? `one order only, ${d(f.recencyDays)} days ago`
        : `${f.orders} orders over ${d(f.tenureDays)} days, the last ${d(f.recencyDays)} days ago`;
      return `at their pace (${pace}) a purchase in the next ${
        d(f.horizonDays ?? 0)
      } days is less likely than for the average customer`;
    }
    default:
      return feature;
  }
}
