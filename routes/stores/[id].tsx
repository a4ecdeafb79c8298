/**
 * `/stores/[id]`: the overview for one store (live KPIs, ticker and charts), plus its category
 * breakdown, registers, hourly pattern against a typical same weekday, and inventory risks.
 */
import type { Handlers, PageProps } from "../../lib/web/types.ts";
import { loadOverview, type Overview } from "../../lib/dashboard/overview.ts";
import {
  categoriesToday,
  type CategoryRow,
  type HourlyPattern,
  hourlyPattern,
  inventoryRisks,
  type RegisterRow,
  registersToday,
  type RiskRow,
} from "../../lib/dashboard/store_detail.ts";
import {
  change,
  clockTime,
  count,
  dateIn,
  money,
  pct,
  trendClass,
} from "../../lib/dashboard/format.ts";
import { OverviewBody } from "../../components/OverviewBody.tsx";
import { csvUrl, Panel } from "../../components/Panel.tsx";
import { Bar } from "../../components/DashLists.tsx";
import { RiskTable } from "../../components/RiskTable.tsx";

interface Data {
  overview: Overview;
  categories: CategoryRow[];
  registers: RegisterRow[];
  pattern: HourlyPattern;
  risks: RiskRow[];
}

export const handler: Handlers<Data> = {
  async GET(_req, ctx) {
    const rt = ctx.state.rt;
    const overview = await loadOverview(rt, ctx.params.id);
    const store = overview.scope.stores[0];
    ctx.state.title = store.name;
    const now = overview.now;
    const [categories, registers, pattern, risks] = await Promise.all([
      categoriesToday(rt.sql, [store.id], now),
      registersToday(rt.sql, store.id, store.timezone, now),
      hourlyPattern(rt.sql, store.id, store.timezone, now),
      inventoryRisks(rt.sql, {
        storeIds: [store.id],
        limit: 20,
        today: dateIn(now, store.timezone),
      }),
    ]);
    return ctx.render({ overview, categories, registers, pattern, risks });
  },
};

export default function StorePage({ data }: PageProps<Data>) {
  const { overview, categories, registers, pattern, risks } = data;
  const store = overview.scope.stores[0];
  const cur = store.currency;
  const maxCat = Math.max(1, ...categories.map((c) => c.sales_cents));
  const maxHour = Math.max(1, ...pattern.today.map((v) => v ?? 0), ...pattern.typical);
  return (
    <>
      <p class="crumbs">
        <a href="/stores">Stores</a> › {store.name}
        {store.city && <span class="muted">{store.city}</span>}
      </p>
      <OverviewBody data={overview} title={store.name} />
      <div class="cols cols-2">
        <Panel
          title="Categories today"
          csv={csvUrl("categories", { store_id: store.id })}
          id="categories"
          empty={categories.length ? false : "No category has sold today yet."}
        >
          <div class="table-wrap">
            <table class="grid compact">
              <thead>
                <tr>
                  <th>Category</th>
                  <th class="num">Sales</th>
                  <th class="num">vs last week</th>
                  <th class="num hide-sm">Units</th>
                  <th class="hide-sm"></th>
                </tr>
              </thead>
              <tbody>
                {categories.map((c) => {
                  const p = change(c.sales_cents, c.last_week_cents);
                  return (
                    <tr>
                      <td>{c.category}</td>
                      <td class="num">{money(c.sales_cents, cur)}</td>
                      <td class="num">
                        <span class={`delta ${trendClass(p)}`}>{pct(p)}</span>
                      </td>
                      <td class="num hide-sm">{count(c.units)}</td>
                      <td class="hide-sm">
                        <Bar value={c.sales_cents} max={maxCat} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </Panel>
        <Panel
          title="Registers today"
          csv={csvUrl("registers", { store_id: store.id })}
          id="registers"
          empty={registers.length ? false : "No register has rung up a sale today yet."}
        >
          <div class="table-wrap">
            <table class="grid compact">
              <thead>
                <tr>
                  <th>Register</th>
                  <th class="num">Receipts</th>
                  <th class="num">Sales</th>
                  <th class="num">Refunds</th>
                  <th class="num hide-sm">Last</th>
                </tr>
              </thead>
              <tbody>
                {registers.map((r) => (
                  <tr>
                    <td>{r.register_id}</td>
                    <td class="num">{count(r.transactions)}</td>
                    <td class="num">{money(r.sales_cents, cur)}</td>
                    <td class={`num ${r.refunds ? "warn" : ""}`}>
                      {r.refunds ? `${r.refunds} · ${money(r.refund_cents, cur)}` : "0"}
                    </td>
                    <td class="num hide-sm">{clockTime(r.last_at, store.timezone)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>
      </div>
      <Panel
        title="Hourly pattern: today against a typical same weekday (last 4 weeks)"
        csv={csvUrl("hourly-pattern", { store_id: store.id })}
        id="hourly-pattern"
      >
        <svg class="pattern" viewBox="0 0 960 150" role="img" aria-label="Sales by hour of day">
          {pattern.hours.map((h) => {
            const x = 8 + h * 39.5;
            const typ = pattern.typical[h] / maxHour * 100;
            const now = (pattern.today[h] ?? 0) / maxHour * 100;
            return (
              <g>
                <title>
                  {`${String(h).padStart(2, "0")}:00 — today ${
                    pattern.today[h] === null ? "not yet" : money(pattern.today[h]!, cur)
                  }, typical ${money(pattern.typical[h], cur)}`}
                </title>
                <rect x={x} y={120 - typ} width="16" height={typ} fill="#cbd5e1" />
                {pattern.today[h] !== null && (
                  <rect x={x + 16} y={120 - now} width="16" height={now} fill="#0f766e" />
                )}
                {h % 3 === 0 && (
                  <text x={x + 16} y="142" text-anchor="middle" font-size="13" fill="#5b6470">
                    {String(h).padStart(2, "0")}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
        <p class="legend-scale">
          <span class="c-none">typical same weekday</span>
          <span class="c-up2">today</span>
        </p>
      </Panel>
      <Panel
        title="Inventory risks"
        csv={csvUrl("inventory", { store_id: store.id })}
        id="store-risks"
        empty={risks.length
          ? false
          : "No stock-outs and nothing under 7 days of cover. Days of cover appear once the demand model has run."}
      >
        <RiskTable rows={risks} showStore={false} />
      </Panel>
    </>
  );
}
