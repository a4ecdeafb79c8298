/**
 * `/inventory`: stock on hand across stores, stock-outs, low stock and days of cover (from the
 * demand model's `stock_risk` once it has run), most urgent first; `?store=` narrows to one store.
 */
import type { Handlers, PageProps } from "../lib/web/types.ts";
import { type DashScope, loadDashScope } from "../lib/dashboard/scope.ts";
import {
  inventoryRisks,
  type RiskRow,
  type StockSummary,
  stockSummary,
} from "../lib/dashboard/store_detail.ts";
import { count, dateIn } from "../lib/dashboard/format.ts";
import { csvUrl, Panel } from "../components/Panel.tsx";
import { RiskTable } from "../components/RiskTable.tsx";

interface Data {
  scope: DashScope;
  all: DashScope["stores"];
  summary: StockSummary;
  risks: RiskRow[];
}

export const handler: Handlers<Data> = {
  async GET(_req, ctx) {
    ctx.state.title = "Inventory";
    const sql = ctx.state.rt.sql;
    const store = ctx.url.searchParams.get("store") || "*";
    const [all, scope] = await Promise.all([loadDashScope(sql), loadDashScope(sql, store)]);
    const ids = store === "*" ? null : [store];
    const [summary, risks] = await Promise.all([
      stockSummary(sql, ids),
      inventoryRisks(sql, {
        storeIds: ids ?? undefined,
        limit: 300,
        today: dateIn(ctx.state.rt.clock.now(), scope.timezone),
      }),
    ]);
    return ctx.render({ scope, all: all.stores, summary, risks });
  },
};

export default function InventoryPage({ data }: PageProps<Data>) {
  const { scope, summary, risks, all } = data;
  const sid = scope.store_id === "*" ? undefined : scope.store_id;
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Inventory</h1>
          <p class="sub">
            Stock-outs and SKUs under 7 days of cover, most urgent first
          </p>
        </div>
      </div>
      <nav class="filters" aria-label="Store">
        <a href="/inventory" aria-current={scope.store_id === "*" ? "true" : undefined}>
          All stores
        </a>
        {all.map((s) => (
          <a
            href={`/inventory?store=${encodeURIComponent(s.id)}`}
            aria-current={scope.store_id === s.id ? "true" : undefined}
          >
            {s.name}
          </a>
        ))}
      </nav>
      <div class="stat-row" id="stock-summary">
        <div class="stat">
          <b>{count(summary.skus)}</b>
          <span>store × SKU lines tracked</span>
        </div>
        <div class="stat">
          <b>{count(summary.units_on_hand)}</b>
          <span>units on hand</span>
        </div>
        <div class={`stat ${summary.stock_outs ? "bad" : ""}`}>
          <b>{count(summary.stock_outs)}</b>
          <span>stock-outs</span>
        </div>
        <div class={`stat ${summary.low ? "warn" : ""}`}>
          <b>{count(summary.low)}</b>
          <span>under 7 days of cover</span>
        </div>
      </div>
      {summary.scored === 0 && summary.skus > 0 && (
        <p class="notice">
          Days of cover appear once the demand model has run (the scheduler runs it; see{" "}
          <a href="/models">Models</a>); until then only stock-outs are listed.
        </p>
      )}
      <Panel
        title="Stock-outs and low stock"
        csv={csvUrl("inventory", { store_id: sid })}
        id="risks"
        empty={summary.skus === 0
          ? 'No stock levels yet. Send inventory counts (type "inventory", kind "count") to POST /api/v1/events, or start the simulator: deno task simulate.'
          : risks.length === 0
          ? "Nothing is out of stock or under 7 days of cover."
          : false}
      >
        <RiskTable rows={risks} showStore={scope.store_id === "*"} />
      </Panel>
    </>
  );
}
