/**
 * `/stores`: every store's sales today against the same time last week, as a geographic heat
 * map and a table sortable by sales, pacing, alerts or name (sorting is a link, so the page
 * ships no JavaScript).
 */
import type { Handlers, PageProps } from "../../lib/web/types.ts";
import { type DashScope, loadDashScope } from "../../lib/dashboard/scope.ts";
import { storesToday, type StoreToday } from "../../lib/dashboard/lists.ts";
import { change, count, money, pct, trendClass } from "../../lib/dashboard/format.ts";
import { HeatMap } from "../../components/HeatMap.tsx";
import { csvUrl, Panel } from "../../components/Panel.tsx";

const SORTS = ["sales", "pacing", "alerts", "name", "transactions"] as const;
type Sort = typeof SORTS[number];

interface Data {
  scope: DashScope;
  stores: StoreToday[];
  sort: Sort;
  dir: "asc" | "desc";
}

/** Sorts stores by a column; ties by id so the order is stable. */
export function sortStores(rows: StoreToday[], sort: Sort, dir: "asc" | "desc"): StoreToday[] {
  const key = (s: StoreToday): number | string => {
    switch (sort) {
      case "sales":
        return s.sales_cents;
      case "transactions":
        return s.transactions;
      case "alerts":
        return s.alerts;
      case "pacing":
        return change(s.sales_cents, s.last_week_cents) ?? -Infinity;
      case "name":
        return s.name.toLowerCase();
    }
  };
  const sign = dir === "asc" ? 1 : -1;
  return [...rows].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    const c = x < y ? -1 : x > y ? 1 : 0;
    return c * sign || a.store_id.localeCompare(b.store_id);
  });
}

export const handler: Handlers<Data> = {
  async GET(_req, ctx) {
    ctx.state.title = "Stores";
    const q = ctx.url.searchParams;
    const sort = (SORTS as readonly string[]).includes(q.get("sort") ?? "")
      ? q.get("sort") as Sort
      : "sales";
    const dir = q.get("dir") === "asc" || (!q.get("dir") && sort === "name") ? "asc" : "desc";
    const scope = await loadDashScope(ctx.state.rt.sql);
    const stores = await storesToday(ctx.state.rt.sql, scope, ctx.state.rt.clock.now());
    return ctx.render({ scope, stores: sortStores(stores, sort, dir), sort, dir });
  },
};

export default function StoresPage({ data }: PageProps<Data>) {
  const { stores, sort, dir } = data;
  const head = (col: Sort, label: string, num = true) => {
    const active = sort === col;
    const next = active ? (dir === "desc" ? "asc" : "desc") : col === "name" ? "asc" : "desc";
    return (
      <th
        class={num ? "num" : undefined}
        aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : undefined}
      >
        <a class="sort" href={`/stores?sort=${col}&dir=${next}`}>
          {label} {active ? (dir === "desc" ? "▼" : "▲") : ""}
        </a>
      </th>
    );
  };
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Stores</h1>
          <p class="sub">Today so far against the same time last week, in each store's own day</p>
        </div>
      </div>
      {stores.length === 0
        ? (
          <p class="card empty">
            No stores yet. Add one with{" "}
            <code>deno task stores add --id S001 --name "Main St" --timezone Europe/London</code>
            {" "}
            or start the simulator (<code>deno task simulate</code>), which registers its own.
          </p>
        )
        : (
          <>
            <Panel title="Map: sales today against last week">
              <HeatMap stores={stores} />
            </Panel>
            <Panel title={`${stores.length} stores`} csv={csvUrl("stores")} id="stores-table">
              <div class="table-wrap">
                <table class="grid">
                  <thead>
                    <tr>
                      {head("name", "Store", false)}
                      {head("sales", "Sales today")}
                      {head("pacing", "vs last week")}
                      {head("transactions", "Receipts")}
                      {head("alerts", "Alerts")}
                    </tr>
                  </thead>
                  <tbody>
                    {stores.map((s) => {
                      const p = change(s.sales_cents, s.last_week_cents);
                      return (
                        <tr data-store={s.store_id}>
                          <td>
                            <a href={`/stores/${encodeURIComponent(s.store_id)}`}>{s.name}</a>
                            <span class="muted">{s.city ?? s.store_id}</span>
                          </td>
                          <td class="num">{money(s.sales_cents, s.currency)}</td>
                          <td class="num">
                            <span class={`delta ${trendClass(p)}`}>{pct(p)}</span>
                          </td>
                          <td class="num">{count(s.transactions)}</td>
                          <td class={`num ${s.alerts ? "bad" : ""}`}>
                            {s.alerts
                              ? (
                                <a href={`/alerts?store=${encodeURIComponent(s.store_id)}`}>
                                  {s.alerts}
                                </a>
                              )
                              : "0"}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </Panel>
          </>
        )}
    </>
  );
}
