/**
 * `/forecasts`: per store and category — the last three days' actuals with the next 48 hours'
 * p10–p90 band (the dashboard's uPlot chart island), the next 14 days, and the active model's
 * backtest accuracy against seasonal naive. `?store=` and `?category=` pick the series.
 */
import type { Handlers, PageProps } from "../lib/web/types.ts";
import { type DashScope, loadDashScope } from "../lib/dashboard/scope.ts";
import { type ChartData, salesChart } from "../lib/dashboard/charts.ts";
import { money } from "../lib/dashboard/format.ts";
import { Panel } from "../components/Panel.tsx";
import Chart from "../islands/Chart.tsx";
import {
  dailyForecast,
  forecastAccuracy,
  forecastCategories,
  hourlyForecast,
} from "../models/pages.ts";

const HOUR = 3_600_000;

interface Data {
  scope: DashScope;
  all: DashScope["stores"];
  category: string;
  categories: string[];
  chart: ChartData;
  hasForecast: boolean;
  daily: Awaited<ReturnType<typeof dailyForecast>>;
  accuracy: Awaited<ReturnType<typeof forecastAccuracy>>;
}

export const handler: Handlers<Data> = {
  async GET(_req, ctx) {
    ctx.state.title = "Forecasts";
    const sql = ctx.state.rt.sql;
    const store = ctx.url.searchParams.get("store") || "*";
    const category = ctx.url.searchParams.get("category") || "*";
    const now = ctx.state.rt.clock.now();
    const hour = Math.floor(now / HOUR) * HOUR;
    const [all, scope, categories] = await Promise.all([
      loadDashScope(sql),
      loadDashScope(sql, store),
      forecastCategories(sql),
    ]);
    const from = hour - 72 * HOUR, to = hour + 47 * HOUR;
    const [chart, band, daily, accuracy] = await Promise.all([
      salesChart(ctx.state.rt, { store_id: store, category, interval: "hour", from, to }),
      hourlyForecast(sql, store, category, from, to + HOUR),
      dailyForecast(sql, store, category, new Date(hour).toISOString().slice(0, 10)),
      forecastAccuracy(sql, store),
    ]);
    const by = new Map(band.map((r) => [r.bucket.getTime(), r]));
    // Future hours have no actuals yet: null, so the chart shows the band alone there.
    chart.sales = chart.xs.map((x, i) => x > hour ? null : chart.sales[i]) as number[];
    chart.band = {
      p10: chart.xs.map((x) => by.get(x)?.p10 ?? null),
      p50: chart.xs.map((x) => by.get(x)?.p50 ?? null),
      p90: chart.xs.map((x) => by.get(x)?.p90 ?? null),
    };
    return ctx.render({
      scope,
      all: all.stores,
      category,
      categories,
      chart,
      hasForecast: band.length > 0,
      daily,
      accuracy,
    });
  },
};

const pick = (store: string, category: string) =>
  `/forecasts?store=${encodeURIComponent(store)}&category=${encodeURIComponent(category)}`;

export default function ForecastsPage({ data }: PageProps<Data>) {
  const { scope, all, category, categories, chart, daily, accuracy } = data;
  const cur = scope.currency;
  const series = accuracy?.series.filter((s) => s.category === category || category === "*") ?? [];
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Forecasts</h1>
          <p class="sub">
            Hourly sales for the next 48 hours with the 80 % band (p10–p90), daily for 14 days
            {accuracy && <>; model {accuracy.model}</>}
          </p>
        </div>
      </div>
      <nav class="filters" aria-label="Store">
        <a href={pick("*", category)} aria-current={scope.store_id === "*" ? "true" : undefined}>
          All stores
        </a>
        {all.map((s) => (
          <a
            href={pick(s.id, category)}
            aria-current={scope.store_id === s.id ? "true" : undefined}
          >
            {s.name}
          </a>
        ))}
      </nav>
      {scope.store_id !== "*" && (
        <nav class="filters" aria-label="Category">
          <a href={pick(scope.store_id, "*")} aria-current={category === "*" ? "true" : undefined}>
            All categories
          </a>
          {categories.map((c) => (
            <a href={pick(scope.store_id, c)} aria-current={category === c ? "true" : undefined}>
              {c}
            </a>
          ))}
        </nav>
      )}
      <section class="card" id="forecast-chart">
        <Chart
          id="chart-forecast"
          title="Last 3 days and the next 48 hours"
          store_id={scope.store_id}
          currency={cur}
          timezone={scope.timezone}
          initial={chart}
        />
        {!data.hasForecast && (
          <p class="muted note">
            No forecast yet. The first model trains by itself once 10 days of history exist (see
            {" "}
            <a href="/models">Models</a>), or run <code>deno task models train forecast</code>.
          </p>
        )}
      </section>
      <div class="cols cols-2">
        <Panel
          title="Next 14 days"
          id="daily"
          empty={daily.length ? false : "No daily forecast yet."}
        >
          <div class="table-wrap">
            <table class="grid compact">
              <thead>
                <tr>
                  <th>Day</th>
                  <th class="num">Low (p10)</th>
                  <th class="num">Expected</th>
                  <th class="num">High (p90)</th>
                </tr>
              </thead>
              <tbody>
                {daily.map((d) => (
                  <tr>
                    <td>{d.day}</td>
                    <td class="num">{money(d.p10, cur)}</td>
                    <td class="num">{money(d.p50, cur)}</td>
                    <td class="num">{money(d.p90, cur)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>
        <Panel
          title="Backtest accuracy (last days, rolling origin)"
          id="accuracy"
          empty={accuracy ? false : "No active forecast model yet."}
        >
          {accuracy && (
            <>
              <p class="muted">
                Overall MASE {accuracy.overall.mase} vs seasonal naive{" "}
                {accuracy.overall.baselineMase} ({Math.round(accuracy.overall.improvement * 100)}
                {" "}
                % better), 80 % band coverage {Math.round(accuracy.overall.coverage * 100)} %
              </p>
              <div class="table-wrap">
                <table class="grid compact">
                  <thead>
                    <tr>
                      <th>Store</th>
                      <th>Category</th>
                      <th class="num">MASE</th>
                      <th class="num">Naive MASE</th>
                      <th class="num">sMAPE %</th>
                      <th class="num">Coverage</th>
                    </tr>
                  </thead>
                  <tbody>
                    {series.slice(0, 60).map((s) => (
                      <tr>
                        <td>{s.store === "*" ? "chain" : s.store}</td>
                        <td>{s.category === "*" ? "all" : s.category}</td>
                        <td class="num">{s.mase}</td>
                        <td class="num">{s.baselineMase}</td>
                        <td class="num">{s.smape.toFixed(1)}</td>
                        <td class="num">{Math.round(s.coverage * 100)} %</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </Panel>
      </div>
    </>
  );
}
