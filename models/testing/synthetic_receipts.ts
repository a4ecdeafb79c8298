/**
 * Synthetic receipts with labelled register-level anomalies (refund bursts, discount abuse,
 * outlier receipts) and labelled store-hour anomalies planted into `rollup_hour` (demand spikes,
 * POS outages), for scoring the anomaly detectors. Seeded.
 */
import type { Sql } from "../../lib/db.ts";
import { HOUR_MS } from "../calendar.ts";
import { rng } from "../tf.ts";

interface Receipt {
  store: string;
  id: string;
  type: "sale" | "refund";
  register: string;
  ts: number;
  total: number;
  discount: number;
}

async function insertReceipts(sql: Sql, rs: Receipt[]) {
  for (let i = 0; i < rs.length; i += 10_000) {
    const p = rs.slice(i, i + 10_000);
    await sql`insert into receipts (store_id, transaction_id, type, register_id, ts, local_date,
        currency, payment, total_cents, discount_cents, units, lines)
      select s, t, ty, r, ts::timestamptz, ts::timestamptz::date, 'USD', 'card', tot, d, 1, '[]'
      from unnest(${p.map((x) => x.store)}::text[], ${p.map((x) => x.id)}::text[],
        ${p.map((x) => x.type)}::text[], ${p.map((x) => x.register)}::text[],
        ${p.map((x) => new Date(x.ts).toISOString())}::text[], ${p.map((x) => x.total)}::bigint[],
        ${p.map((x) => x.discount)}::bigint[]) as u(s, t, ty, r, ts, tot, d)`;
  }
}

async function label(
  sql: Sql,
  kind: string,
  store: string,
  register: string | null,
  from: number,
  to: number,
) {
  await sql`insert into anomaly_labels (kind, store_id, register_id, starts_at, ends_at)
            values (${kind}, ${store}, ${register}, ${new Date(from)}, ${new Date(to)})`;
}

/**
 * Writes normal receipts for `stores` x 2 registers over [from, to) (08-21 UTC) with planted,
 * labelled anomalies; plants demand spikes and outages into rollup_hour. Returns label count.
 */
export async function plantAnomalies(
  sql: Sql,
  opts: { stores: string[]; from: number; to: number; seed?: number },
): Promise<number> {
  const random = rng(opts.seed ?? 11);
  const rs: Receipt[] = [];
  let n = 0;
  const id = () => `T${++n}`;
  for (const store of opts.stores) {
    for (const register of ["R1", "R2"]) {
      for (let t = opts.from; t < opts.to; t += 4 * 60_000 + Math.floor(random() * 4 * 60_000)) {
        const hour = new Date(t).getUTCHours();
        if (hour < 8 || hour >= 21) continue;
        const total = Math.round(1500 * Math.exp(0.6 * (random() + random() + random() - 1.5)));
        const refund = random() < 0.02;
        const discount = !refund && random() < 0.1
          ? Math.round(total * (random() < 0.1 ? 0.35 : 0.1))
          : 0;
        rs.push({
          store,
          id: id(),
          type: refund ? "refund" : "sale",
          register,
          ts: t,
          total,
          discount,
        });
      }
    }
  }
  let labels = 0;
  const day = (k: number) => opts.from + k * 24 * HOUR_MS;
  // Planted receipts are rung up at the store and register that their label names: the label is
  // what a detector's flags are matched against.
  const plant = async (
    kind: string,
    store: string,
    reg: string,
    at: number,
    make: (i: number) => Omit<Receipt, "store" | "id" | "register">,
    count: number,
  ) => {
    for (let i = 0; i < count; i++) rs.push({ store, id: id(), register: reg, ...make(i) });
    await label(sql, kind, store, reg, at, at + 12 * 60_000);
    labels++;
  };
  for (let k = 0; k < opts.stores.length; k++) {
    const store = opts.stores[k];
    const at1 = day(1 + k) + 10 * HOUR_MS + 16 * 60_000;
    await plant("refund_burst", store, "R1", at1, (i) => ({
      type: "refund",
      ts: at1 + i * 90_000,
      total: 2500,
      discount: 0,
    }), 6);
    const at2 = day(3 + k) + 15 * HOUR_MS + 31 * 60_000;
    await plant("discount_abuse", store, "R2", at2, (i) => ({
      type: "sale",
      ts: at2 + i * 80_000,
      total: 1200,
      discount: 1300,
    }), 7);
    const at3 = day(5) + (11 + k) * HOUR_MS + 2 * 60_000;
    await plant("price_glitch", store, "R1", at3, () => ({
      type: "sale",
      ts: at3 + 60_000,
      total: 1500 * 400,
      discount: 0,
    }), 1);
  }
  await insertReceipts(sql, rs);
  // Store-hour anomalies in the rollups: an outage (nothing sold for an hour) and a spike.
  for (let k = 0; k < opts.stores.length; k++) {
    const store = opts.stores[k];
    const outage = day(2 + k) + 13 * HOUR_MS;
    await sql`update rollup_hour set sales_cents = 0 where store_id = ${store}
              and bucket = ${new Date(outage)}`;
    await label(sql, "pos_outage", store, null, outage, outage + HOUR_MS);
    const spike = day(4 + k) + 17 * HOUR_MS;
    await sql`update rollup_hour set sales_cents = sales_cents * 3 where store_id = ${store}
              and category = 'C1' and bucket = ${new Date(spike)}`;
    await label(sql, "demand_spike", store, null, spike, spike + HOUR_MS);
    labels += 2;
  }
  return labels;
}
