/**
 * The overview blocks shared by `/` (the chain) and `/stores/[id]` (one store): freshness and
 * services, KPI cards, the last two hours minute by minute, the live ticker, today's hours
 * against the forecast band, top stores and products, velocity and recent alerts.
 */
import type { Overview } from "../lib/dashboard/overview.ts";
import KpiCards from "../islands/KpiCards.tsx";
import Ticker from "../islands/Ticker.tsx";
import Chart from "../islands/Chart.tsx";
import Freshness from "../islands/Freshness.tsx";
import { csvUrl, Panel } from "./Panel.tsx";
import { StatusLine } from "./StatusLine.tsx";
import { Backfilling, NoData } from "./EmptyState.tsx";
import { TopProducts, TopStores, VelocityList } from "./DashLists.tsx";
import AlertFeed from "../islands/AlertFeed.tsx";

/** Overview content for `data.scope`. */
export function OverviewBody({ data, title }: { data: Overview; title: string }) {
  const { scope } = data;
  const sid = scope.store_id === "*" ? undefined : scope.store_id;
  const stores = Object.fromEntries(
    scope.stores.map((s) => [s.id, { name: s.name, timezone: s.timezone, currency: s.currency }]),
  );
  const dayLabel = new Intl.DateTimeFormat("en-GB", {
    timeZone: scope.timezone,
    weekday: "long",
    day: "numeric",
    month: "long",
  }).format(data.now);
  return (
    <>
      <div class="page-head">
        <div>
          <h1>{title}</h1>
          <p class="sub">
            {dayLabel} · times in {scope.timezone} · against the same time last week
          </p>
        </div>
        <div class="page-head-side">
          <Freshness
            newest_event={data.freshness.newest_event}
            backlog={data.freshness.backlog}
            now={data.now}
            store_id={scope.store_id}
          />
          <StatusLine health={data.health} />
        </div>
      </div>
      {scope.mixedCurrencies && (
        <p class="notice warn">
          Stores trade in {scope.mixedCurrencies.join(", ")}: chain totals below are in{" "}
          {scope.currency} only where stores share it. Open a store for exact figures.
        </p>
      )}
      {data.empty
        ? <NoData stores={scope.stores.length} simulator={data.simulator} />
        : data.simulator?.phase === "backfill" && <Backfilling state={data.simulator} />}
      <KpiCards
        kpis={data.kpis.kpis}
        store_id={scope.store_id}
        currency={scope.currency}
        day_bucket={data.day_bucket}
        spark_from={data.kpis.spark_from}
      />
      <p class="csv-line">
        <a class="csv" href={csvUrl("kpis", { store_id: sid })} download>KPIs as CSV</a>
      </p>
      <div class="cols cols-2-1">
        <section class="card">
          <Chart
            id="chart-minutes"
            title="Last 2 hours"
            store_id={scope.store_id}
            currency={scope.currency}
            timezone={scope.timezone}
            initial={data.minutes}
            live="minute"
            window={120}
          />
        </section>
        <Panel
          title="Live receipts"
          // The ticker shows each receipt at its store's clock, not the page's time zone.
          note={scope.store_id === "*" ? "at each store's local time" : undefined}
          id="ticker-panel"
          csv={csvUrl("receipts", { store_id: sid })}
        >
          <Ticker receipts={data.receipts} stores={stores} store_id={scope.store_id} />
        </Panel>
      </div>
      <section class="card">
        <Chart
          id="chart-hours"
          title={data.hourly.band ? "Today by hour, with the forecast band" : "Today by hour"}
          store_id={scope.store_id}
          currency={scope.currency}
          timezone={scope.timezone}
          initial={data.hourly}
          live="hour"
        />
        {!data.hourly.band && (
          <p class="muted note">
            No forecast for today yet: the forecast band appears once the forecast job has run (see
            {" "}
            <a href="/forecasts">Forecasts</a>).
          </p>
        )}
      </section>
      <div class="cols cols-3">
        {scope.store_id === "*" && (
          <Panel title="Top stores today" csv={csvUrl("stores")}>
            <TopStores stores={data.stores} />
          </Panel>
        )}
        <Panel title="Top products today" csv={csvUrl("top-products", { store_id: sid })}>
          <TopProducts products={data.products} currency={scope.currency} />
        </Panel>
        <Panel
          title="Velocity: last 15 minutes"
          csv={csvUrl("velocity", { store_id: sid })}
        >
          <VelocityList rows={data.velocity} currency={scope.currency} />
        </Panel>
        <Panel title="Recent alerts" csv={csvUrl("alerts", { store_id: sid })}>
          <AlertFeed alerts={data.alerts} store_id={scope.store_id} timezone={scope.timezone} />
        </Panel>
      </div>
    </>
  );
}
