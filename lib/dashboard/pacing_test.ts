import assert from "node:assert/strict";
import { testRuntime } from "../testing/services.ts";
import { fixedClock } from "../clock.ts";
import { seedDemo } from "./seed.ts";
import { pacing } from "./pacing.ts";
import { productsToday } from "./lists.ts";
import { localMidnight } from "./format.ts";
import { localDate } from "../stores.ts";
import { applyEvents } from "../../pipeline/apply.ts";
import { compactOnce } from "../../pipeline/compact.ts";
import type { ReceiptEvent } from "../events.ts";
import type { Runtime } from "../runtime.ts";

// 10:40 UTC on Thursday 19 November: 23:40 on the 18th in Pago Pago (UTC-11), 16:10 on the 19th
// in Kolkata (a half-hour zone: its day starts at 18:30 UTC) and 00:40 on the 20th in Kiritimati
// (UTC+14).
const NOW = Date.parse("2026-11-19T10:40:30Z");
const WEEK = 7 * 86_400_000;
const STORES = [
  { id: "PPG-01", name: "Pago Pago", timezone: "Pacific/Pago_Pago" },
  { id: "DEL-01", name: "Delhi", timezone: "Asia/Kolkata" },
  { id: "KIR-01", name: "Kiritimati", timezone: "Pacific/Kiritimati" },
];

function receipt(id: string, store: string, ts: number, category: string): ReceiptEvent {
  return {
    type: "sale",
    transaction_id: id,
    store_id: store,
    register_id: "R1",
    timestamp: new Date(ts).toISOString(),
    ts,
    currency: "USD",
    payment: "card",
    lines: [{ sku: "SKU-9001", category, quantity: 1, unit_price_cents: 1000, discount_cents: 0 }],
    total_cents: 1000,
  };
}

async function seeded(label: string) {
  const rt = await testRuntime(label, { clock: fixedClock(NOW) });
  await seedDemo(rt, { now: NOW, stores: STORES, pastDays: [7] });
  // Sales in Kolkata's first half hour (before the first whole UTC hour of its day), today and a
  // week ago, and one just before its midnight, which belongs to the day before; and the first
  // sale of Kiritimati's new day (the demo's stores open at 07:00).
  const midnight = localMidnight(NOW, "Asia/Kolkata");
  const extra = [
    receipt("x-1", "DEL-01", midnight + 10 * 60_000, "snacks"),
    receipt("x-2", "DEL-01", midnight - WEEK + 20 * 60_000, "snacks"),
    receipt("x-3", "DEL-01", midnight - 5 * 60_000, "snacks"),
    // The first minute of its first whole hour: in that hour's row, not also a minute of the head.
    receipt("x-5", "DEL-01", midnight + 30 * 60_000 + 10_000, "snacks"),
    receipt("x-4", "KIR-01", localMidnight(NOW, "Pacific/Kiritimati") + 20 * 60_000, "grocery"),
  ];
  const stores = new Map(STORES.map((s) => [s.id, { currency: "USD", timezone: s.timezone }]));
  await applyEvents(
    rt,
    extra.map((event, i) => ({
      stream: "t",
      id: `1-${i}`,
      family: "sales",
      partition: 0,
      payload: "",
      event,
    })),
    { watermarks: new Map(), stores },
  );
  await compactOnce(rt);
  return rt;
}

/** Sums of every minute of each store's window (its local midnight to `b`), by category. */
async function minuteSums(rt: Runtime, byCategory: boolean) {
  const out = new Map<string, number[]>();
  for (const s of STORES) {
    for (const [k, b] of [["t", NOW], ["w", NOW - WEEK]] as const) {
      const rows = await rt.sql`select category, sum(sales_cents)::int8 as sales,
          sum(transactions)::int8 as tx, sum(units)::int8 as units
        from rollup_minute where store_id = ${s.id}
          and bucket >= ${new Date(localMidnight(b, s.timezone))} and bucket <= ${new Date(b)}
          and ${byCategory ? rt.sql`category <> '*'` : rt.sql`category = '*'`}
        group by category`;
      for (const r of rows) {
        out.set(`${s.id}|${r.category}|${k}`, [Number(r.sales), Number(r.tx), Number(r.units)]);
      }
    }
  }
  return out;
}

Deno.test("dashboard pacing - today and last week per store and per category equal the sums of their minutes", async () => {
  await using rt = await seeded("pacing_windows");
  for (const byCategory of [false, true]) {
    const want = await minuteSums(rt, byCategory);
    const got = new Map<string, number[]>();
    for (const r of await pacing(rt.sql, { now: NOW, byCategory })) {
      for (const [k, t] of [["t", r.today], ["w", r.last_week]] as const) {
        if (t.transactions || t.sales_cents) {
          got.set(`${r.store_id}|${r.category}|${k}`, [t.sales_cents, t.transactions, t.units]);
        }
      }
    }
    assert.deepEqual(got, want, byCategory ? "by category" : "whole stores");
    // Every store sold today and a week ago, and Kolkata's first half hour is in its day.
    for (const s of STORES) {
      assert.ok(want.has(`${s.id}|${byCategory ? "grocery" : "*"}|t`), `${s.id} today`);
    }
    if (byCategory) {
      assert.deepEqual(got.get("DEL-01|snacks|t"), [2000, 2, 2]);
      assert.deepEqual(got.get("DEL-01|snacks|w"), [1000, 1, 1]);
    }
  }
});

Deno.test("dashboard products today - each store's own local date, one day behind or ahead of UTC", async () => {
  await using rt = await seeded("products_today");
  const scope = { stores: STORES } as Parameters<typeof productsToday>[1];
  const days = STORES.map((s) => [s.id, localDate(NOW, s.timezone)]);
  assert.deepEqual(days.map(([, d]) => d), ["2026-11-18", "2026-11-19", "2026-11-20"]);
  const by = new Map<string, { units: number; revenue_cents: number }>();
  for (const [store, day] of days) {
    const rows = await rt.sql`select sku, units, revenue_cents from sku_daily
      where store_id = ${store} and day = ${day}::date`;
    assert.ok(rows.length > 0, `${store} sold on its local ${day}`);
    for (const r of rows) {
      const p = by.get(r.sku) ?? { units: 0, revenue_cents: 0 };
      p.units += Number(r.units);
      p.revenue_cents += Number(r.revenue_cents);
      by.set(r.sku, p);
    }
  }
  const want = [...by].sort(([a, x], [b, y]) =>
    y.revenue_cents - x.revenue_cents || (a < b ? -1 : 1)
  )
    .map(([sku, p]) => [sku, p.units, p.revenue_cents]);
  assert.ok(want.some(([sku]) => sku === "SKU-9001"), "Kiritimati's sale of its new day is in");
  const got = await productsToday(rt.sql, scope, NOW, { limit: 100 });
  assert.deepEqual(got.map((p) => [p.sku, Number(p.units), Number(p.revenue_cents)]), want);
});
