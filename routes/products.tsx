/**
 * `/products`: the performance matrix (category × store heat grid of sales today and growth
 * against the same time last week), top and bottom SKUs today, and the 28-day trend of the SKU
 * picked (`?sku=`; every SKU name on the page links to its trend).
 */
import type { Handlers, PageProps } from "../lib/web/types.ts";
import { type DashScope, loadDashScope } from "../lib/dashboard/scope.ts";
import { productsToday, type ProductToday } from "../lib/dashboard/lists.ts";
import { type Matrix, productMatrix, type SkuTrend, skuTrend } from "../lib/dashboard/products.ts";
import { change, count, money, pct, trendClass } from "../lib/dashboard/format.ts";
import { csvUrl, Panel } from "../components/Panel.tsx";
import { TopProducts } from "../components/DashLists.tsx";
import TrendChart from "../islands/TrendChart.tsx";

interface Data {
  scope: DashScope;
  matrix: Matrix;
  top: ProductToday[];
  bottom: ProductToday[];
  trend: SkuTrend | null;
}

const SKU = /^[A-Za-z0-9_.:\/#-]{1,64}$/;

export const handler: Handlers<Data> = {
  async GET(_req, ctx) {
    ctx.state.title = "Products";
    const rt = ctx.state.rt;
    const now = rt.clock.now();
    const scope = await loadDashScope(rt.sql);
    const sku = ctx.url.searchParams.get("sku");
    const ids = scope.stores.map((s) => s.id);
    const [matrix, top, bottom, trend] = await Promise.all([
      productMatrix(rt.sql, scope.stores, now),
      productsToday(rt.sql, scope, now, { limit: 10 }),
      productsToday(rt.sql, scope, now, { limit: 10, order: "bottom" }),
      sku && SKU.test(sku) ? skuTrend(rt.sql, sku, ids, scope.timezone, now) : null,
    ]);
    return ctx.render({ scope, matrix, top, bottom, trend });
  },
};

/** Heat level 0-5 of a cell against the largest cell. */
function heat(v: number, max: number): number {
  if (v <= 0 || max <= 0) return 0;
  return Math.min(5, 1 + Math.floor(v / max * 5));
}

export default function ProductsPage({ data, url }: PageProps<Data>) {
  const { scope, matrix, top, bottom, trend } = data;
  const cur = scope.currency;
  const skuAsked = url.searchParams.get("sku");
  // Stores as rows (best first), categories as columns: fits a phone and a 50-store chain.
  const storeTotal = (id: string) =>
    matrix.categories.reduce((a, c) => a + (matrix.cells[c][id]?.sales_cents ?? 0), 0);
  const ranked = [...matrix.stores].sort((a, b) => storeTotal(b.id) - storeTotal(a.id));
  const selling = ranked.filter((s) => storeTotal(s.id) > 0);
  const idle = ranked.filter((s) => storeTotal(s.id) <= 0);
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Products</h1>
          <p class="sub">Today so far in each store's own day, against the same time last week</p>
        </div>
      </div>
      <Panel
        title="Performance matrix: store × category"
        csv={csvUrl("matrix")}
        id="matrix"
        empty={matrix.categories.length
          ? false
          : "No sales today yet, so there is nothing to compare. Start the simulator (deno task simulate) or send receipts to POST /api/v1/events."}
      >
        <div class="table-wrap">
          <table class="matrix">
            <thead>
              <tr>
                <th>Store</th>
                {matrix.categories.map((c) => <th key={c}>{c}</th>)}
              </tr>
            </thead>
            <tbody>
              {selling.map((s) => (
                <tr key={s.id} data-store={s.id}>
                  <th>
                    <a href={`/stores/${encodeURIComponent(s.id)}`}>{s.name}</a>
                  </th>
                  {matrix.categories.map((c) => {
                    const cell = matrix.cells[c][s.id];
                    if (!cell) return <td class="h0" key={c}>–</td>;
                    const p = change(cell.sales_cents, cell.last_week_cents);
                    return (
                      <td
                        key={c}
                        class={`h${heat(cell.sales_cents, matrix.max)}`}
                        title={`${c} at ${s.name}: ${money(cell.sales_cents, cur)}, ${
                          pct(p)
                        } vs last week`}
                      >
                        {money(cell.sales_cents, cur, { compact: true })}
                        <small class={trendClass(p)}>{pct(p)}</small>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {idle.length > 0 && (
          <p class="muted note">
            No sales yet today at {idle.length} store{idle.length === 1 ? "" : "s"}:{" "}
            {idle.map((s) => s.name).join(", ")}.
          </p>
        )}
        <p class="muted note">
          Colour: sales today (darker is more). Small figure: change against last week.
        </p>
      </Panel>
      <div class="cols cols-2">
        <Panel title="Top SKUs today" csv={csvUrl("top-products")}>
          <TopProducts products={top} currency={cur} id="top-skus" />
        </Panel>
        <Panel title="Bottom SKUs today (that sold)" csv={csvUrl("bottom-products")}>
          <TopProducts products={bottom} currency={cur} id="bottom-skus" />
        </Panel>
      </div>
      <Panel
        title={trend
          ? `${trend.sku}${trend.category ? ` (${trend.category})` : ""}: last 28 days`
          : "SKU trend"}
        csv={trend ? csvUrl("sku-trend", { sku: trend.sku }) : undefined}
        id="sku-trend"
        class={trend ? "sku-picked" : ""}
      >
        {trend
          ? (trend.units.some((u) => u > 0)
            ? (
              <TrendChart
                id="sku-trend-chart"
                xs={trend.xs}
                units={trend.units}
                revenue_cents={trend.revenue_cents}
                currency={cur}
              />
            )
            : <p class="empty">{trend.sku} has not sold in the last 28 days.</p>)
          : (
            <p class="empty">
              {skuAsked ? `"${skuAsked}" is not a valid SKU. ` : ""}Click a SKU above to see its
              daily units and revenue.
            </p>
          )}
        {top.length > 0 && (
          <p class="muted note">
            Units sold today: {count(top.reduce((a, p) => a + p.units, 0))} across the top{" "}
            {top.length}.
          </p>
        )}
      </Panel>
    </>
  );
}
