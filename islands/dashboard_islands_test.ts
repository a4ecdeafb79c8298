import assert from "node:assert/strict";
import { applyBuckets } from "./KpiCards.tsx";
import { mergeReceipts } from "./Ticker.tsx";
import { foldAlert } from "./AlertFeed.tsx";
import { intervalFor } from "./Chart.tsx";

const kpis = [
  {
    key: "sales" as const,
    label: "Sales",
    today: 100,
    last_week: 90,
    money: true,
    spark: [0, 100],
  },
  {
    key: "avg_ticket" as const,
    label: "Avg",
    today: 50,
    last_week: 45,
    money: true,
    spark: [0, 50],
  },
];
const bucket = (resolution: string, store_id: string, b: number, sales: number, tx: number) => ({
  resolution,
  store_id,
  category: "*",
  bucket: b,
  sales_cents: sales,
  transactions: tx,
  units: tx,
  refunds: 0,
  refund_cents: 0,
  discount_cents: 0,
});

Deno.test("dashboard islands - KPI cards take absolute day and hour values of their own scope only", () => {
  const day = Date.UTC(2026, 10, 18);
  const from = Date.parse("2026-11-18T05:00:00Z");
  const p = { store_id: "S1", day_bucket: day, spark_from: from };
  const next = applyBuckets(kpis, [
    bucket("day", "S1", day, 500, 4),
    bucket("hour", "S1", from + 2 * 3_600_000, 300, 2),
    bucket("day", "S2", day, 9999, 9), // another store
    bucket("day", "S1", day - 86_400_000, 7777, 7), // yesterday
  ], p);
  assert.equal(next[0].today, 500);
  assert.equal(next[1].today, 125, "average ticket recomputed from the absolute totals");
  assert.deepEqual(next[0].spark, [0, 100, 300]);
  // A replayed update sets the same figures again.
  assert.deepEqual(applyBuckets(next, [bucket("day", "S1", day, 500, 4)], p)[0].today, 500);
});

Deno.test("dashboard islands - ticker merges newest first without repeats; alerts fold by id", () => {
  const r = (tx: string, ts: number) => ({
    store_id: "S1",
    transaction_id: tx,
    ts,
    total_cents: 100,
    items: 1,
    type: "sale" as const,
  });
  const list = mergeReceipts([r("a", 1), r("b", 2)], [r("b", 2), r("c", 3)], 2);
  assert.deepEqual(list.map((x) => x.transaction_id), ["c", "b"]);
  const alert = (id: number, state: string, at: string) => ({
    type: "alert",
    alert: { id, state, severity: "high", summary: `a${id}`, store_ids: ["S1"], started_at: at },
  });
  let feed = foldAlert([], alert(1, "firing", "2026-11-18T10:00:00Z"), "*", 5);
  feed = foldAlert(feed, alert(2, "firing", "2026-11-18T11:00:00Z"), "*", 5);
  feed = foldAlert(feed, alert(2, "resolved", "2026-11-18T11:00:00Z"), "*", 5);
  assert.deepEqual(feed.map((a) => [a.id, a.state]), [[1, "firing"], [2, "resolved"]]);
  assert.equal(foldAlert([], alert(3, "firing", "2026-11-18T11:00:00Z"), "S9", 5).length, 0);
});

Deno.test("dashboard islands - zoom picks minutes up to 6 h, hours up to 8 days, else days", () => {
  assert.equal(intervalFor(2 * 3_600_000), "minute");
  assert.equal(intervalFor(2 * 86_400_000), "hour");
  assert.equal(intervalFor(30 * 86_400_000), "day");
});
