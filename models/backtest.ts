/**
 * Rolling-origin backtest of the hourly forecast: one origin per day over the last `days` days,
 * each forecasting the next 48 hours (cut at the end of the data), against the seasonal naive
 * baseline (same local hour last week). Hours where the store is closed (no sales in any of the last
 * four same hours and none now) are left out, so zeros at night do not flatter either method.
 */
import { HOUR_MS } from "./calendar.ts";
import type { FeatureContext } from "./forecast_features.ts";
import { MAX_H, WEEK, weekLag } from "./forecast_features.ts";
import { type ForecastModel, predict, type Target } from "./forecast_model.ts";
import { coverage, mae, round, seasonalNaiveScale, smape } from "./metrics.ts";

/** Accuracy of one series on the backtest. */
export interface SeriesMetrics {
  store: string;
  category: string;
  n: number;
  mase: number;
  baselineMase: number;
  smape: number;
  baselineSmape: number;
  coverage: number;
}

/** Overall backtest result. */
export interface BacktestResult {
  origins: number;
  from: string;
  to: string;
  overall: {
    mase: number;
    baselineMase: number;
    improvement: number;
    smape: number;
    baselineSmape: number;
    coverage: number;
    n: number;
  };
  byLevel: Record<string, { mase: number; baselineMase: number; coverage: number; series: number }>;
  series: SeriesMetrics[];
}

const level = (store: string, category: string) =>
  store === "*" ? "chain" : category === "*" ? "store" : "store_category";

/** Backtests `model` on hours [btStart, end) of the context's series. */
export function backtest(
  model: ForecastModel,
  ctx: FeatureContext,
  btStart: number,
  end = ctx.set.length,
): BacktestResult {
  const targets: Target[] = [];
  let origins = 0;
  for (let o = btStart; o < end; o += 24) {
    origins++;
    for (let s = 0; s < ctx.set.series.length; s++) {
      for (let h = 1; h <= MAX_H && o + h - 1 < end; h++) targets.push({ s, t: o + h - 1, h });
    }
  }
  const p = predict(model, ctx, targets);
  const per = ctx.set.series.map(() => ({
    y: [] as number[],
    f: [] as number[],
    b: [] as number[],
    lo: [] as number[],
    hi: [] as number[],
  }));
  targets.forEach(({ s, t }, i) => {
    const y = ctx.set.series[s].values[t];
    if (!p.open[i] && y === 0) return;
    const acc = per[s];
    acc.y.push(y);
    acc.f.push(p.p50[i]);
    const j = weekLag(ctx, s, t, 1);
    acc.b.push(j >= 0 ? ctx.set.series[s].values[j] : 0);
    acc.lo.push(p.p10[i]);
    acc.hi.push(p.p90[i]);
  });
  const series: SeriesMetrics[] = [];
  let covered = 0, total = 0, smSum = 0, bsmSum = 0;
  ctx.set.series.forEach((sr, s) => {
    const a = per[s];
    if (!a.y.length) return;
    const scale = seasonalNaiveScale(sr.values.subarray(0, btStart), WEEK, true);
    const cov = coverage(a.y, a.lo, a.hi);
    covered += cov * a.y.length;
    total += a.y.length;
    const sm = smape(a.y, a.f), bsm = smape(a.y, a.b);
    smSum += sm * a.y.length;
    bsmSum += bsm * a.y.length;
    series.push({
      store: sr.store,
      category: sr.category,
      n: a.y.length,
      mase: scale > 0 ? mae(a.y, a.f) / scale : NaN,
      baselineMase: scale > 0 ? mae(a.y, a.b) / scale : NaN,
      smape: sm,
      baselineSmape: bsm,
      coverage: cov,
    });
  });
  const scored = series.filter((m) => Number.isFinite(m.mase) && Number.isFinite(m.baselineMase));
  const avg = (xs: number[]) => xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
  const mase = avg(scored.map((m) => m.mase));
  const baselineMase = avg(scored.map((m) => m.baselineMase));
  const byLevel: BacktestResult["byLevel"] = {};
  for (const lv of ["store_category", "store", "chain"]) {
    const ms = scored.filter((m) => level(m.store, m.category) === lv);
    if (!ms.length) continue;
    const n = ms.reduce((a, m) => a + m.n, 0);
    byLevel[lv] = {
      mase: round(avg(ms.map((m) => m.mase))),
      baselineMase: round(avg(ms.map((m) => m.baselineMase))),
      coverage: round(ms.reduce((a, m) => a + m.coverage * m.n, 0) / n),
      series: ms.length,
    };
  }
  return {
    origins,
    from: new Date(ctx.set.start + btStart * HOUR_MS).toISOString(),
    to: new Date(ctx.set.start + end * HOUR_MS).toISOString(),
    overall: {
      mase: round(mase),
      baselineMase: round(baselineMase),
      improvement: round(1 - mase / baselineMase),
      smape: round(smSum / total),
      baselineSmape: round(bsmSum / total),
      coverage: round(covered / total),
      n: total,
    },
    byLevel,
    series: series.map((m) => ({
      ...m,
      mase: round(m.mase),
      baselineMase: round(m.baselineMase),
      smape: round(m.smape),
      baselineSmape: round(m.baselineSmape),
      coverage: round(m.coverage),
    })),
  };
}
