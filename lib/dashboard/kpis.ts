/**
 * KPI cards: today so far against the same time last week (pacing), each with an hourly
 * sparkline of today. Figures come from the PostgreSQL rollups (the truth); live updates then
 * replace them with the absolute day bucket values the workers publish.
 */
import type { Sql } from "../db.ts";
import { pacing, sumPacing, type Totals, zeroTotals } from "./pacing.ts";
import { type DashScope, localMidnight } from "./scope.ts";

/** Which figure a card shows. */
export type KpiKey = "sales" | "transactions" | "avg_ticket" | "units" | "refunds";

/** One KPI card. */
export interface Kpi {
  key: KpiKey;
  label: string;
  /** Money in minor units for sales/avg_ticket/refunds, else a count. */
  today: number;
  last_week: number;
  money: boolean;
  /** Hourly values of today, oldest first (avg_ticket: per hour). */
  spark: number[];
}

/** The KPI block of a page. */
export interface KpiBlock {
  kpis: Kpi[];
  /** Epoch ms of the first sparkline hour (local midnight of the scope's zone). */
  spark_from: number;
  /** Raw totals, for the API and for live updates to start from. */
  today: Totals;
  last_week: Totals;
  now: number;
}

/** Average ticket in minor units, rounded half up; 0 without transactions. */
export function avgTicket(t: Pick<Totals, "sales_cents" | "transactions">): number {
  return t.transactions > 0
    ? Math.floor((2 * t.sales_cents + t.transactions) / (2 * t.transactions))
    : 0;
}

/** The five cards from today's and last week's totals. */
export function kpiCards(today: Totals, lastWeek: Totals, hours: Totals[]): Kpi[] {
  return [
    {
      key: "sales",
      label: "Sales",
      today: today.sales_cents,
      last_week: lastWeek.sales_cents,
      money: true,
      spark: hours.map((h) => h.sales_cents),
    },
    {
      key: "transactions",
      label: "Transactions",
      today: today.transactions,
      last_week: lastWeek.transactions,
      money: false,
      spark: hours.map((h) => h.transactions),
    },
    {
      key: "avg_ticket",
      label: "Average ticket",
      today: avgTicket(today),
      last_week: avgTicket(lastWeek),
      money: true,
      spark: hours.map(avgTicket),
    },
    {
      key: "units",
      label: "Units",
      today: today.units,
      last_week: lastWeek.units,
      money: false,
      spark: hours.map((h) => h.units),
    },
    {
      key: "refunds",
      label: "Refunds",
      today: today.refund_cents,
      last_week: lastWeek.refund_cents,
      money: true,
      spark: hours.map((h) => h.refund_cents),
    },
  ];
}

/** KPIs of the scope at `now`. */
export async function loadKpis(sql: Sql, scope: DashScope, now: number): Promise<KpiBlock> {
  const ids = scope.store_id === "*" ? undefined : [scope.store_id];
  const from = localMidnight(now, scope.timezone);
  const [rows, hourRows] = await Promise.all([
    pacing(sql, { now, storeIds: ids }),
    sql<(Totals & { bucket: Date })[]>`
      select bucket, sales_cents, transactions, units, refunds, refund_cents, discount_cents
      from rollup_hour
      where store_id = ${scope.store_id} and category = '*'
        and bucket >= ${new Date(
      Math.floor(from / 3_600_000) * 3_600_000,
    )} and bucket <= ${new Date(now)}
      order by bucket`,
  ]);
  const { today, last_week } = sumPacing(rows);
  const first = Math.floor(from / 3_600_000) * 3_600_000;
  const n = Math.floor((now - first) / 3_600_000) + 1;
  const hours: Totals[] = Array.from({ length: n }, zeroTotals);
  for (const r of hourRows) {
    const i = Math.round((r.bucket.getTime() - first) / 3_600_000);
    if (i >= 0 && i < n) hours[i] = r;
  }
  return {
    kpis: kpiCards(today, last_week, hours),
    spark_from: first,
    today,
    last_week,
    now,
  };
}
