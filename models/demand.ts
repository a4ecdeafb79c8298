/**
 * Demand and stock-out risk per store x SKU: daily demand from `sku_daily` (mean of the last 28
 * days, zero days included), days of cover = on hand / demand, the expected stock-out date, and
 * a reorder quantity that covers lead time + review period at the chosen service level
 * (order-up-to level d*(L+R) + z*sigma*sqrt(L+R), minus what is on hand). Written to
 * `stock_risk` (latest run only). The demand estimate is backtested against "same as
 * yesterday" over the last 14 days.
 */
import type { Sql } from "../lib/db.ts";
import { DAY_MS } from "./calendar.ts";
import { activeVersion, actor, registerVersion, saveExtra } from "./registry.ts";
import { round } from "./metrics.ts";

/** Inventory policy of the reorder suggestion. */
export interface DemandParams {
  windowDays: number;
  leadTimeDays: number;
  reviewDays: number;
  /** z of the service level (1.645 = 95 %). */
  serviceZ: number;
}

/** Defaults: 28-day window, 3 days lead time, weekly review, 95 % service. */
export const DEFAULT_DEMAND: DemandParams = {
  windowDays: 28,
  leadTimeDays: 3,
  reviewDays: 7,
  serviceZ: 1.645,
};

/** One stock_risk row. */
export interface StockRisk {
  store: string;
  sku: string;
  dailyDemand: number;
  onHand: number;
  daysOfCover: number | null;
  stockoutDate: string | null;
  reorderQty: number;
}

async function loadUnits(sql: Sql, fromDay: string, toDay: string) {
  const days = Math.round((Date.parse(toDay) - Date.parse(fromDay)) / DAY_MS);
  const rows = await sql<{ store_id: string; sku: string; d: number; units: number }[]>`
    select store_id, sku, (day - ${fromDay}::date) as d, units from sku_daily
    where day >= ${fromDay}::date and day < ${toDay}::date`;
  const series = new Map<string, Float64Array>();
  for (const r of rows) {
    const k = `${r.store_id}\u0000${r.sku}`;
    let a = series.get(k);
    if (!a) series.set(k, a = new Float64Array(days));
    a[Number(r.d)] += r.units;
  }
  return { days, series };
}

const dayString = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Pure computation of one SKU's risk from its daily units (oldest first) and stock on hand. */
export function stockRisk(
  units: Float64Array,
  onHand: number,
  today: number,
  p: DemandParams = DEFAULT_DEMAND,
): Omit<StockRisk, "store" | "sku"> {
  const w = units.subarray(Math.max(0, units.length - p.windowDays));
  const mean = w.reduce((a, b) => a + b, 0) / Math.max(1, w.length);
  const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, w.length - 1));
  const cover = mean > 0 ? onHand / mean : null;
  const horizon = p.leadTimeDays + p.reviewDays;
  const upTo = mean * horizon + p.serviceZ * sd * Math.sqrt(horizon);
  return {
    dailyDemand: round(mean, 3),
    onHand,
    daysOfCover: cover === null ? null : round(Math.max(0, cover), 2),
    stockoutDate: cover === null
      ? null
      : dayString(today + Math.max(0, Math.floor(cover)) * DAY_MS),
    reorderQty: Math.max(0, Math.ceil(upTo - Math.max(0, onHand))),
  };
}

/** Computes and stores stock risk for every store x SKU with an inventory row. */
export async function runDemand(sql: Sql, now: number): Promise<{ rows: number; model: string }> {
  const active = await activeVersion(sql, "demand");
  const p = { ...DEFAULT_DEMAND, ...(active?.params as Partial<DemandParams> ?? {}) };
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const { series } = await loadUnits(
    sql,
    dayString(today - p.windowDays * DAY_MS),
    dayString(today),
  );
  const inv = await sql<{ store_id: string; sku: string; on_hand: number }[]>`
    select store_id, sku, on_hand from inventory`;
  const empty = new Float64Array(p.windowDays);
  const rows: StockRisk[] = inv.map((r) => ({
    store: r.store_id,
    sku: r.sku,
    ...stockRisk(series.get(`${r.store_id}\u0000${r.sku}`) ?? empty, r.on_hand, today, p),
  }));
  await sql.begin(async (tx) => {
    await tx`delete from stock_risk`;
    for (let i = 0; i < rows.length; i += 5000) {
      const part = rows.slice(i, i + 5000);
      await tx`insert into stock_risk (store_id, sku, daily_demand, on_hand, days_of_cover,
          stockout_date, reorder_qty)
        select * from unnest(${part.map((r) => r.store)}::text[], ${part.map((r) => r.sku)}::text[],
          ${part.map((r) => r.dailyDemand)}::float8[], ${part.map((r) => r.onHand)}::int[],
          ${part.map((r) => r.daysOfCover)}::float8[], ${part.map((r) => r.stockoutDate)}::date[],
          ${part.map((r) => r.reorderQty)}::int[])`;
    }
  });
  return { rows: rows.length, model: active ? `demand@${active.version}` : "demand@defaults" };
}

/** Backtest of the demand estimate against "same as yesterday", scaled by units sold (WAPE). */
export interface DemandBacktest {
  /** Sum of |actual - 28-day mean| over the sum of actual units. */
  wape: number;
  /** The same for "same as yesterday". */
  naiveWape: number;
  mae: number;
  naiveMae: number;
  /** Store x SKU days measured, and the days (chain-wide) that had any sales. */
  n: number;
  days: number;
}

/**
 * Scores the window mean against "same as yesterday" over the last `bt` steps of each series.
 * Both errors are divided by the units actually sold (WAPE), which stays meaningful for slow
 * movers: the earlier "MAE / naive MAE" exploded when yesterday happened to equal today on every
 * day (all zeros, or a window the pipeline had not filled yet). Days with no sales anywhere are
 * missing data, not demand, and are skipped.
 */
export function backtestDemand(
  series: Iterable<Float64Array>,
  days: number,
  bt: number,
  windowDays: number,
): DemandBacktest {
  const list = [...series];
  const dayTotal = new Float64Array(days);
  for (const u of list) for (let t = 0; t < days; t++) dayTotal[t] += u[t];
  let err = 0, naive = 0, actual = 0, n = 0, measured = 0;
  for (let t = Math.max(1, days - bt); t < days; t++) {
    if (!(dayTotal[t] > 0) || !(dayTotal[t - 1] > 0)) continue;
    measured++;
    for (const u of list) {
      const w = u.subarray(Math.max(0, t - windowDays), t);
      const f = w.reduce((a, b) => a + b, 0) / Math.max(1, w.length);
      err += Math.abs(u[t] - f);
      naive += Math.abs(u[t] - u[t - 1]);
      actual += u[t];
      n++;
    }
  }
  return {
    wape: actual > 0 ? round(err / actual) : NaN,
    naiveWape: actual > 0 ? round(naive / actual) : NaN,
    mae: n ? round(err / n) : NaN,
    naiveMae: n ? round(naive / n) : NaN,
    n,
    days: measured,
  };
}

/**
 * Backtests the demand estimate over the last `days` days (each day forecast from the window
 * before it) against "same as yesterday", and registers the parameters as a version. Refuses
 * when the history does not reach yesterday (a backfill still being processed would make the
 * naive method look perfect on the empty days).
 */
export async function trainDemand(
  sql: Sql,
  opts: { now?: number; days?: number; params?: Partial<DemandParams>; trainedBy?: string } = {},
) {
  const p = { ...DEFAULT_DEMAND, ...opts.params };
  const today = Math.floor((opts.now ?? Date.now()) / DAY_MS) * DAY_MS;
  const bt = opts.days ?? 14;
  const from = today - (p.windowDays + bt) * DAY_MS;
  const { series, days } = await loadUnits(sql, dayString(from), dayString(today));
  if (!series.size) {
    throw new Error("no SKU sales in sku_daily yet; start the pipeline or import history first");
  }
  const r = backtestDemand(series.values(), days, bt, p.windowDays);
  const [last] = await sql`select max(day)::text as day from sku_daily where day < ${
    dayString(today)
  }::date`;
  if (!last?.day || Date.parse(last.day) < today - 2 * DAY_MS || r.days < Math.min(7, bt)) {
    throw new Error(
      `sku_daily ends at ${
        last?.day ?? "nothing"
      } with ${r.days} of the last ${bt} days measurable; wait until the pipeline has processed history up to yesterday (or pass --to the last day imported, e.g. --to ${
        last?.day ?? "2026-01-31"
      })`,
    );
  }
  const metrics = {
    score: { name: "wape", value: r.wape, better: "lower" as const },
    baseline: { name: "same_as_yesterday", value: r.naiveWape },
    mae: r.mae,
    naiveMae: r.naiveMae,
    days: r.days,
    skus: series.size,
  };
  const version = await registerVersion(sql, {
    name: "demand",
    params: p as unknown as Record<string, unknown>,
    dataFrom: new Date(from),
    dataTo: new Date(today),
    metrics,
    trainedBy: opts.trainedBy ?? actor(),
  });
  await saveExtra(sql, "demand", version, { params: p });
  return { version, metrics };
}
