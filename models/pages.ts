/**
 * Data for the models' pages (/forecasts, /customers, /models): plain queries over the model
 * outputs, the registry and job_runs, kept here so routes stay thin and tests call them directly.
 */
import type { Sql } from "../lib/db.ts";
import { activeVersion, listVersions, type ModelVersion } from "./registry.ts";
import type { SeriesMetrics } from "./backtest.ts";
import { lastRunPerJob, recentRuns } from "../scheduler/runs.ts";
import { DEFAULT_THRESHOLDS } from "./anomaly_score.ts";

/**
 * What /models says for a model without any version. The anomaly checks need none: they run
 * every minute with default thresholds, and a version only records thresholds fitted to labelled
 * anomalies; the other models are trained by the bootstrap job once enough history has arrived.
 */
export function missingVersionNote(name: string): string {
  if (name === "anomaly") {
    const t = DEFAULT_THRESHOLDS;
    return `No fitted thresholds: the anomaly checks run every minute with the defaults (forecast band |z| ≥ ${t.bandZ}, refund burst −log10 p ≥ ${t.burstLog10P}, receipt z ≥ ${t.receiptZ}). To fit them to labelled anomalies: deno task models train anomaly.`;
  }
  return `No ${name} version yet: the bootstrap job trains one once enough history has arrived (or deno task models train ${name}).`;
}

/** Active forecast version's backtest per series, filtered to a store (or all). */
export async function forecastAccuracy(sql: Sql, store?: string) {
  const active = await activeVersion(sql, "forecast");
  const bt = active?.metrics?.backtest as
    | { overall: Record<string, number>; series: SeriesMetrics[]; from: string; to: string }
    | undefined;
  if (!active || !bt) return null;
  return {
    model: `forecast@${active.version}`,
    overall: bt.overall,
    from: bt.from,
    to: bt.to,
    series: bt.series.filter((s) => !store || store === "*" || s.store === store),
  };
}

/** Hourly forecast rows of one series between two instants. */
export async function hourlyForecast(
  sql: Sql,
  store: string,
  category: string,
  from: number,
  to: number,
) {
  return await sql<{ bucket: Date; p10: number; p50: number; p90: number; model: string }[]>`
    select bucket, p10_cents as p10, p50_cents as p50, p90_cents as p90, model from forecasts
    where store_id = ${store} and category = ${category} and resolution = 'hour'
      and bucket >= ${new Date(from)} and bucket < ${new Date(to)} order by bucket`;
}

/** Daily forecast rows of one series from `fromDay` on. */
export async function dailyForecast(sql: Sql, store: string, category: string, fromDay: string) {
  return await sql<{ day: string; p10: number; p50: number; p90: number }[]>`
    select to_char(bucket at time zone 'UTC', 'YYYY-MM-DD') as day, p10_cents as p10,
           p50_cents as p50, p90_cents as p90
    from forecasts where store_id = ${store} and category = ${category} and resolution = 'day'
      and bucket >= ${fromDay}::date order by bucket limit 14`;
}

/** Categories that have forecasts (for the selector). */
export async function forecastCategories(sql: Sql): Promise<string[]> {
  const rows = await sql`select distinct category from forecasts where category <> '*'
                         order by category`;
  return rows.map((r) => r.category);
}

/** "j***@example.com" / "***4567": enough to recognise a customer, not to contact them. */
export function maskEmail(email: string | null): string {
  if (!email) return "–";
  const [user, domain] = email.split("@");
  return domain ? `${user.slice(0, 1)}***@${domain}` : "***";
}

/** Masks all but the last 4 digits of a phone number. */
export function maskPhone(phone: string | null): string {
  if (!phone) return "–";
  const digits = phone.replace(/\D/g, "");
  return digits.length > 4 ? `***${digits.slice(-4)}` : "***";
}

/** Segment sizes and mean churn probability, as the last scoring run wrote them. */
export async function segmentSummary(sql: Sql) {
  return await sql<{ segment: string; customers: number; avg_probability: number }[]>`
    select segment, customers, avg_probability from churn_segments
    order by customers desc, segment`;
}

/**
 * Customers most likely to churn, with masked contact details. Customers shown at the same
 * whole percent come most valuable first (net revenue when they were scored): on short
 * histories the model gives thousands of one-order customers the same score, and a list
 * ordered by id among them tells a manager nothing. The order is that of an index on
 * churn_scores (migration 0083), so only the rows shown are read and joined.
 */
/** The churn list's order, which `churn_scores_ranked_idx` (migration 0083) has. */
export const CHURN_LIST_ORDER =
  "round(c.probability * 100) desc, c.revenue_cents desc nulls last, c.probability desc, " +
  "c.customer_id";

export async function churnRiskList(sql: Sql, opts: { segment?: string; limit?: number } = {}) {
  const rows = await sql<{
    customer_id: string;
    probability: number;
    segment: string;
    reasons: string[];
    model: string;
    email: string | null;
    phone: string | null;
    last_purchase: Date | null;
    orders: number | null;
  }[]>`
    select c.customer_id, c.probability, c.segment, c.reasons, c.model, k.email, k.phone,
           s.last_purchase, s.orders
    from (
      select * from churn_scores c
      where ${opts.segment ? sql`c.segment = ${opts.segment}` : sql`true`}
      order by ${sql.unsafe(CHURN_LIST_ORDER)}
      limit ${opts.limit ?? 50}
    ) c
    left join customers k using (customer_id)
    left join customer_stats s using (customer_id)
    order by ${sql.unsafe(CHURN_LIST_ORDER)}`;
  return rows.map(({ email, phone, ...r }) => ({
    ...r,
    email: maskEmail(email),
    phone: maskPhone(phone),
  }));
}

/** Everything /models shows: versions by model, recent registry events, recent job runs. */
export async function modelsOverview(sql: Sql) {
  const versions = await listVersions(sql);
  const byName = new Map<string, ModelVersion[]>();
  for (const v of versions) byName.set(v.name, [...(byName.get(v.name) ?? []), v]);
  const events = await sql<{
    name: string;
    version: number | null;
    action: string;
    actor: string;
    reason: string | null;
    at: Date;
  }[]>`select name, version, action, actor, reason, at from model_events
       order by id desc limit 20`;
  const latest = await lastRunPerJob(sql);
  const runs = await recentRuns(sql, { limit: 40, withoutSkipped: true });
  return { byName, events, latest, runs };
}
