/**
 * KPI cards (sales, transactions, average ticket, units, refunds): today so far against the same
 * time last week, with an hourly sparkline. Live updates carry the absolute day and hour bucket
 * values of the scope, which replace the figures (never add), so a replayed update is harmless.
 */
import { useEffect, useState } from "preact/hooks";
import { Sparkline } from "../components/Sparkline.tsx";
import { change, count, money, pct, trendClass } from "../lib/dashboard/format.ts";
import { onUpdate } from "./live_client.ts";

/** A card's figures (same shape as lib/dashboard/kpis.ts Kpi). */
interface Kpi {
  key: "sales" | "transactions" | "avg_ticket" | "units" | "refunds";
  label: string;
  today: number;
  last_week: number;
  money: boolean;
  spark: number[];
}

interface Totals {
  sales_cents: number;
  transactions: number;
  units: number;
  refund_cents: number;
}

interface Props {
  kpis: Kpi[];
  /** "*" for the chain or a store id: which buckets apply. */
  store_id: string;
  currency: string;
  /** Day bucket of today (Date.UTC of the local date), as the workers name it. */
  day_bucket: number;
  /** Epoch ms of the first sparkline hour. */
  spark_from: number;
}

const avg = (t: Totals) =>
  t.transactions > 0 ? Math.floor((2 * t.sales_cents + t.transactions) / (2 * t.transactions)) : 0;

function valueOf(key: Kpi["key"], t: Totals): number {
  switch (key) {
    case "sales":
      return t.sales_cents;
    case "transactions":
      return t.transactions;
    case "avg_ticket":
      return avg(t);
    case "units":
      return t.units;
    case "refunds":
      return t.refund_cents;
  }
}

/** Applies the scope's day/hour buckets of an update to the cards. */
export function applyBuckets(
  kpis: Kpi[],
  buckets: { resolution: string; store_id: string; category: string; bucket: number }[],
  p: Pick<Props, "store_id" | "day_bucket" | "spark_from">,
): Kpi[] {
  let out = kpis;
  for (const b of buckets) {
    if (b.store_id !== p.store_id || b.category !== "*") continue;
    const t = b as unknown as Totals;
    if (b.resolution === "day" && b.bucket === p.day_bucket) {
      out = out.map((k) => ({ ...k, today: valueOf(k.key, t) }));
    } else if (b.resolution === "hour" && b.bucket >= p.spark_from) {
      const i = Math.round((b.bucket - p.spark_from) / 3_600_000);
      out = out.map((k) => {
        const spark = k.spark.slice();
        while (spark.length <= i) spark.push(0);
        spark[i] = valueOf(k.key, t);
        return { ...k, spark };
      });
    }
  }
  return out;
}

export default function KpiCards(props: Props) {
  const [kpis, setKpis] = useState(props.kpis);
  const [flash, setFlash] = useState(0);
  useEffect(() =>
    onUpdate((u) => {
      setKpis((prev) => {
        const next = applyBuckets(prev, u.buckets ?? [], props);
        if (next !== prev) setFlash((f) => f + 1);
        return next;
      });
    }), [props.store_id, props.day_bucket]);
  return (
    <section class="kpis" aria-label="Today so far against the same time last week">
      {kpis.map((k) => {
        const p = change(k.today, k.last_week);
        const show = (v: number) => k.money ? money(v, props.currency) : count(v);
        // Refunds going up is bad news: flip the colour, not the sign.
        const cls = k.key === "refunds" ? trendClass(p === null ? null : -p) : trendClass(p);
        return (
          <article class={`kpi kpi-${k.key}`} data-kpi={k.key} data-value={k.today} key={k.key}>
            <h3>{k.label}</h3>
            <p class={`kpi-value${flash ? " pulse" : ""}`} key={`${k.key}-${flash}`}>
              {show(k.today)}
            </p>
            <p class="kpi-compare">
              <span class={`delta ${cls}`}>{pct(p)}</span>
              <span class="muted">vs {show(k.last_week)} last week</span>
            </p>
            <Sparkline values={k.spark} label={`${k.label} by hour today`} />
          </article>
        );
      })}
    </section>
  );
}
