import assert from "node:assert/strict";
import { testDb } from "../lib/testing/services.ts";
import { insertSyntheticCustomers } from "./testing/synthetic_customers.ts";
import { runChurn, trainChurn } from "./churn.ts";
import { promote } from "./registry.ts";
import { rfmSegments } from "./churn_features.ts";

Deno.test("churn - AUC >= 0.75 and above recency alone; scores carry reasons and segments", async () => {
  await using db = await testDb("churn");
  const end = Date.parse("2026-06-01T00:00:00Z");
  await insertSyntheticCustomers(db.sql, { customers: 1500, days: 360, end });
  const res = await trainChurn(db.sql, { horizonDays: 60, now: end, seed: 3 });
  console.log(JSON.stringify({ metrics: res.metrics, ms: res.ms }));
  assert.equal(res.params.horizonDays, 60);
  assert.ok(res.metrics.score.value >= 0.75, `AUC ${res.metrics.score.value}`);
  assert.ok(
    res.metrics.score.value > res.metrics.baseline.value,
    `AUC ${res.metrics.score.value} vs recency ${res.metrics.baseline.value}`,
  );
  assert.ok(res.metrics.brier < 0.25);
  const p = await promote(db.sql, "churn", res.version, { actor: "test" });
  assert.ok(p.promoted, p.reason);
  const run = await runChurn(db.sql, end);
  assert.equal(run.model, `churn@${res.version}`);
  const rows = await db.sql`select * from churn_scores order by probability desc limit 20`;
  assert.ok(rows.length === 20);
  assert.ok(rows.every((r) => r.probability >= 0 && r.probability <= 1));
  assert.ok(rows.some((r) => r.reasons.length > 0), "the riskiest customers have reasons");
  assert.match(rows.flatMap((r) => r.reasons).join(";"), /days|less frequent|smaller|orders/);
  const segs = new Set(
    (await db.sql`select distinct segment from churn_scores`).map((r) => r.segment),
  );
  for (const s of segs) {
    assert.ok(["champions", "loyal", "at_risk", "hibernating", "lost", "new"].includes(s));
  }
});

Deno.test("churn - RFM: recent frequent buyers are champions, long-gone ones lost", () => {
  const f = (recencyDays: number, orders: number, tenureDays = 300) => ({
    recencyDays,
    orders,
    avgOrderCents: 3000,
    tenureDays,
    typicalGapDays: 10,
    gapTrend: 0,
    basketTrend: 0,
    recentOrders: 0,
  });
  const facts = [
    f(1, 40),
    f(2, 35),
    f(200, 1),
    f(250, 2),
    f(5, 2, 10),
    ...Array.from({ length: 20 }, (_, i) => f(20 + i * 5, 5 + i)),
  ];
  const s = rfmSegments(facts);
  assert.equal(s[0], "champions");
  assert.equal(s[2], "lost");
  assert.equal(s[4], "new");
});
