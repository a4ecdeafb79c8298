/**
 * Synthetic customers for churn tests: each buys at their own rhythm (median gap 15 days, wide
 * spread) from a start day until a hidden churn day; before churning their gaps grow and their
 * baskets shrink. Writes sale receipts with customer ids. Seeded.
 */
import type { Sql } from "../../lib/db.ts";
import { DAY_MS } from "../calendar.ts";
import { rng } from "../tf.ts";

/** Writes `customers` customers' receipts over `days` days ending at `end`; returns receipts. */
export async function insertSyntheticCustomers(
  sql: Sql,
  opts: { customers: number; days: number; end: number; seed?: number },
): Promise<number> {
  const random = rng(opts.seed ?? 5);
  const normal = () => {
    const u = Math.max(1e-12, random()), v = random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const start = opts.end - opts.days * DAY_MS;
  const ids: string[] = [], cust: string[] = [], ts: string[] = [], totals: number[] = [];
  for (let c = 0; c < opts.customers; c++) {
    const gap = 15 * Math.exp(0.8 * normal());
    const spend = 3000 * Math.exp(0.5 * normal());
    let t = start + random() * opts.days * 0.85 * DAY_MS;
    const churnAt = t + -Math.log(Math.max(1e-9, random())) * 200 * DAY_MS;
    let basket = spend;
    for (let k = 0; t < opts.end; k++) {
      const toChurn = (churnAt - t) / (gap * DAY_MS);
      if (toChurn < 0) break;
      ids.push(`C${c}-${k}`);
      cust.push(`cust${c}`);
      ts.push(new Date(t).toISOString());
      const fading = toChurn < 3;
      if (fading) basket *= 0.8;
      totals.push(Math.max(100, Math.round(basket * Math.exp(0.3 * normal()))));
      t += gap * DAY_MS * Math.exp(0.4 * normal()) * (fading ? 1.8 : 1);
    }
  }
  for (let i = 0; i < ids.length; i += 10_000) {
    const j = i + 10_000;
    await sql`insert into receipts (store_id, transaction_id, type, register_id, customer_id, ts,
        local_date, currency, payment, total_cents, units, lines)
      select 'S001', t, 'sale', 'R1', c, ts::timestamptz, ts::timestamptz::date, 'USD', 'card', tot, 1,
        '[]'
      from unnest(${ids.slice(i, j)}::text[], ${cust.slice(i, j)}::text[],
        ${ts.slice(i, j)}::text[], ${totals.slice(i, j)}::bigint[]) as u(t, c, ts, tot)`;
  }
  return ids.length;
}
