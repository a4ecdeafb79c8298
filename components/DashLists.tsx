/**
 * The overview's ranked lists (top stores, top products, velocity), server rendered. Bars are
 * SVG (attributes, not inline styles: the CSP forbids style="…").
 */
import type { ProductToday, StoreToday, Velocity } from "../lib/dashboard/lists.ts";
import { change, count, money, pct, trendClass } from "../lib/dashboard/format.ts";

/** A horizontal bar, `value` of `max`. */
export function Bar(
  { value, max, tone = "accent" }: { value: number; max: number; tone?: string },
) {
  const w = max > 0 ? Math.max(0, Math.min(100, value / max * 100)) : 0;
  return (
    <svg class={`bar ${tone}`} viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">
      <rect x="0" y="0" width="100" height="6" rx="2" class="bar-bg" />
      <rect x="0" y="0" width={w.toFixed(2)} height="6" rx="2" class="bar-fg" />
    </svg>
  );
}

/** Best-selling stores today with pacing. */
export function TopStores({ stores, limit = 8 }: { stores: StoreToday[]; limit?: number }) {
  const top = stores.filter((s) => s.sales_cents > 0).slice(0, limit);
  if (!top.length) return <p class="empty">No store has sold anything today yet.</p>;
  const max = top[0].sales_cents;
  return (
    <ol class="rank" id="top-stores">
      {top.map((s) => {
        const p = change(s.sales_cents, s.last_week_cents);
        return (
          <li>
            <a href={`/stores/${encodeURIComponent(s.store_id)}`} class="rank-name">{s.name}</a>
            <span class="rank-value">{money(s.sales_cents, s.currency)}</span>
            <span class={`delta ${trendClass(p)}`}>{pct(p)}</span>
            <Bar value={s.sales_cents} max={max} />
          </li>
        );
      })}
    </ol>
  );
}

/** Best-selling SKUs today. */
export function TopProducts(
  { products, currency, id = "top-products" }: {
    products: ProductToday[];
    currency: string;
    id?: string;
  },
) {
  if (!products.length) return <p class="empty">No product has sold today yet.</p>;
  const max = Math.max(...products.map((p) => p.revenue_cents));
  return (
    <ol class="rank" id={id}>
      {products.map((p) => (
        <li>
          <a class="rank-name" href={`/products?sku=${encodeURIComponent(p.sku)}#sku-trend`}>
            {p.sku} <span class="muted">{p.category}</span>
          </a>
          <span class="rank-value">{money(p.revenue_cents, currency)}</span>
          <span class="muted">{count(p.units)} u</span>
          <Bar value={p.revenue_cents} max={max} />
        </li>
      ))}
    </ol>
  );
}

/** Last 15 minutes per store against expectation. */
export function VelocityList({ rows, currency }: { rows: Velocity[]; currency: string }) {
  if (!rows.length) return <p class="empty">No stores yet.</p>;
  const max = Math.max(1, ...rows.map((r) => Math.max(r.last15_cents, r.expected_cents ?? 0)));
  return (
    <div class="table-wrap">
      <table class="grid compact" id="velocity">
        <thead>
          <tr>
            <th>Store</th>
            <th class="num">Last 15 min</th>
            <th class="num">Expected</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 10).map((r) => {
            const p = r.expected_cents === null ? null : change(r.last15_cents, r.expected_cents);
            return (
              <tr>
                <td>
                  <a href={`/stores/${encodeURIComponent(r.store_id)}`}>{r.name}</a>
                </td>
                <td class="num">
                  {money(r.last15_cents, currency)}
                  <Bar value={r.last15_cents} max={max} tone={trendClass(p)} />
                </td>
                <td class="num" title={r.basis ? `from ${r.basis}` : "no baseline yet"}>
                  {r.expected_cents === null ? "–" : money(r.expected_cents, currency)}
                  {r.expected_cents !== null && (
                    <small class={`delta ${trendClass(p)}`}>{pct(p)}</small>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
