/**
 * The scheduled forecast run: the active version forecasts the next 48 hours from the last
 * closed hour for every series, and the daily method the next 14 days; both are upserted into
 * `forecasts` (past buckets stay, so actual-vs-forecast can be shown and checked later).
 */
import type { Sql } from "../lib/db.ts";
import { HOUR_MS, loadSpecialDays } from "./calendar.ts";
import { loadHourly } from "./series.ts";
import { featureContext, MAX_H, WEEK } from "./forecast_features.ts";
import { predict, type Target } from "./forecast_model.ts";
import { loadForecastModel } from "./forecast.ts";
import { forecastDaily } from "./forecast_daily.ts";
import { activeVersion } from "./registry.ts";

/** What a forecast run wrote. */
export interface ForecastRunResult {
  model: string | null;
  hourlyRows: number;
  dailyRows: number;
  origin: string;
  skipped?: string;
}

async function upsert(
  sql: Sql,
  resolution: "hour" | "day",
  model: string,
  rows: {
    store: string;
    category: string;
    bucket: string;
    p10: number;
    p50: number;
    p90: number;
  }[],
) {
  for (let i = 0; i < rows.length; i += 5000) {
    const part = rows.slice(i, i + 5000);
    await sql`insert into forecasts (store_id, category, resolution, bucket, p10_cents, p50_cents,
                                     p90_cents, model, generated_at)
      select s, c, ${resolution}, b::timestamptz, lo, mid, hi, ${model}, now()
      from unnest(${part.map((r) => r.store)}::text[], ${part.map((r) => r.category)}::text[],
                  ${part.map((r) => r.bucket)}::text[], ${part.map((r) => r.p10)}::bigint[],
                  ${part.map((r) => r.p50)}::bigint[], ${part.map((r) => r.p90)}::bigint[])
           as u(s, c, b, lo, mid, hi)
      on conflict (store_id, category, resolution, bucket) do update set
        p10_cents = excluded.p10_cents, p50_cents = excluded.p50_cents,
        p90_cents = excluded.p90_cents, model = excluded.model, generated_at = now()`;
  }
}

/** Writes hourly (48 h) and daily (14 d) forecasts from the active version as of `now`. */
export async function runForecast(sql: Sql, now: number): Promise<ForecastRunResult> {
  const originMs = Math.floor(now / HOUR_MS) * HOUR_MS;
  const origin = new Date(originMs).toISOString();
  const active = await activeVersion(sql, "forecast");
  if (!active) {
    return { model: null, hourlyRows: 0, dailyRows: 0, origin, skipped: "no active model" };
  }
  const model = await loadForecastModel(sql, active.version);
  const name = `forecast@${model.version}`;
  try {
    const set = await loadHourly(sql, originMs - 5 * WEEK * HOUR_MS, originMs);
    const ctx = featureContext(set, model.vocab, await loadSpecialDays(sql));
    const targets: Target[] = [];
    for (let s = 0; s < set.series.length; s++) {
      for (let h = 1; h <= MAX_H; h++) targets.push({ s, t: set.length + h - 1, h });
    }
    const p = predict(model, ctx, targets);
    const hourly = targets.map(({ s, t }, i) => ({
      store: set.series[s].store,
      category: set.series[s].category,
      bucket: new Date(set.start + t * HOUR_MS).toISOString(),
      p10: Math.round(p.p10[i]),
      p50: Math.round(p.p50[i]),
      p90: Math.round(p.p90[i]),
    }));
    await upsert(sql, "hour", name, hourly);
    const daily = await forecastDaily(sql, origin.slice(0, 10));
    await upsert(
      sql,
      "day",
      `${name}+daily`,
      daily.rows.map((r) => ({ ...r, bucket: `${r.day}T00:00:00Z` })),
    );
    return { model: name, hourlyRows: hourly.length, dailyRows: daily.rows.length, origin };
  } finally {
    model.net.dispose();
  }
}
