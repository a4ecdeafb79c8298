/** Stock-outs and low-stock lines: on hand, daily demand, days of cover, reorder quantity. */
import type { RiskRow } from "../lib/dashboard/store_detail.ts";
import { count } from "../lib/dashboard/format.ts";

/** A table of inventory risks, most urgent first. */
export function RiskTable({ rows, showStore = true }: { rows: RiskRow[]; showStore?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="grid compact risks">
        <thead>
          <tr>
            {showStore && <th>Store</th>}
            <th>SKU</th>
            <th class="num">On hand</th>
            <th class="num">Demand/day</th>
            <th class="num">Days of cover</th>
            <th class="num hide-sm">Stock-out</th>
            <th class="num hide-sm">Reorder</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr class={r.on_hand <= 0 ? "out" : "low"} data-sku={r.sku}>
              {showStore && (
                <td>
                  <a href={`/stores/${encodeURIComponent(r.store_id)}`}>{r.store_id}</a>
                </td>
              )}
              <td>{r.sku}</td>
              <td class="num">{r.on_hand <= 0 ? <b class="bad">out</b> : count(r.on_hand)}</td>
              <td class="num">{r.daily_demand === null ? "–" : r.daily_demand.toFixed(1)}</td>
              <td class="num">{r.days_of_cover === null ? "–" : r.days_of_cover.toFixed(1)}</td>
              <td class="num hide-sm">{r.stockout_date ?? "–"}</td>
              <td class="num hide-sm">{r.reorder_qty ? count(r.reorder_qty) : "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
