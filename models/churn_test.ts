import assert from "node:assert/strict";
import { testDb } from "../lib/testing/services.ts";
import { insertSyntheticCustomers } from "./testing/synthetic_customers.ts";
import { churnReasons, runChurn, trainChurn } from "./churn.ts";
import { pgHandler, promote, registerVersion } from "./registry.ts";
import { type Facts, reasonText, rfmSegments } from "./churn_features.ts";
import { initTf, tf } from "./tf.ts";

Deno.test("churn - AUC >= 0.75 and above recency alone; scores carry reasons and segments", async () => {
  await using db = await testDb("churn");
  const end = Date.parse("2026-06-01T00:00:00Z");
  await insertSyntheticCustomers(db.sql, { customers: 1500, days: 360, end });
  const res = await trainChurn(db.sql, { horizonDays: 60, now: end, seed: 3 });
  console.log(JSON.stringify({ metrics: res.metrics, ms: res.ms }));
  assert.equal(res.params.horizonDays, 60);
  assert.deepEqual(res.params.features.at(-1), "quiet_chance");
  assert.equal(res.heldOut.length, res.metrics.customers.test);
  assert.ok(res.metrics.score.value >= 0.75, `AUC ${res.metrics.score.value}`);
  assert.ok(
    res.metrics.score.value > res.metrics.baseline.value,
    `AUC ${res.metrics.score.value} vs recency ${res.metrics.baseline.value}`,
  );
  assert.ok(res.metrics.brier < 0.25);
  const p = await promote(db.sql, "churn", res.version, { actor: "test" });
  assert.ok(p.promoted, p.reason);
  // Purchase stats as the stream workers keep them, for the revenue stored beside each score.
  await db.sql`insert into customer_stats (customer_id, first_purchase, last_purchase, orders,
      revenue_cents)
    select customer_id, min(ts), max(ts), count(*), sum(total_cents) from receipts
    where customer_id is not null and type = 'sale' group by customer_id`;
  const run = await runChurn(db.sql, end);
  assert.equal(run.model, `churn@${res.version}`);
  const [rev] = await db.sql`select count(*)::int as n,
      count(*) filter (where c.revenue_cents is distinct from s.revenue_cents)::int as wrong
    from churn_scores c left join customer_stats s using (customer_id)`;
  assert.ok(rev.n > 0);
  assert.equal(rev.wrong, 0, "each score carries its customer's net revenue");
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

Deno.test("churn - a version trained before quiet_chance (8 features, hidden layer) still scores", async () => {
  await using db = await testDb("churn_legacy");
  const end = Date.parse("2026-06-01T00:00:00Z");
  await insertSyntheticCustomers(db.sql, { customers: 120, days: 120, end });
  await initTf();
  const net = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [8], units: 16, activation: "relu" }),
      tf.layers.dense({ units: 1, activation: "sigmoid" }),
    ],
  });
  const version = await registerVersion(db.sql, {
    name: "churn",
    params: { horizonDays: 60 },
    metrics: {
      score: { name: "roc_auc", value: 0.7, better: "higher" },
      baseline: { name: "recency_only", value: 0.6 },
    },
    trainedBy: "test",
  });
  const scaler = { mean: Array(8).fill(0), std: Array(8).fill(1) };
  await net.save(pgHandler(db.sql, "churn", version, { scaler, horizonDays: 60 }));
  net.dispose();
  await promote(db.sql, "churn", version, { actor: "test", force: true });
  const run = await runChurn(db.sql, end);
  assert.equal(run.model, `churn@${version}`);
  assert.equal(run.rows, 120);
});

Deno.test("churn - a reason is only given where its words are true of the customer", async () => {
  await initTf();
  // A weight of the "wrong" sign on frequency, as correlated features can produce.
  const net = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [2], units: 1, activation: "sigmoid" })],
  });
  net.setWeights([tf.tensor2d([[1], [1]]), tf.tensor1d([0])]);
  const facts = (recencyDays: number, orders: number): Facts => ({
    recencyDays,
    orders,
    avgOrderCents: 3000,
    tenureDays: 200,
    typicalGapDays: 5,
    gapTrend: 0,
    basketTrend: 0,
    recentOrders: orders,
  });
  const x = Float32Array.from([1, 1, -1, -1]); // standardised: above / below average
  const base = net.predict(tf.tensor2d(x, [2, 2])) as tf.Tensor;
  const why = churnReasons(
    net,
    ["recency_days", "frequency"],
    x,
    2,
    base.dataSync() as Float32Array,
    [facts(60, 40), facts(2, 1)],
  );
  net.dispose();
  assert.deepEqual(why, [["no purchase for 60 days"], []]);
});

Deno.test("churn - the quiet_chance reason states the customer's pace and the horizon", () => {
  const f: Facts = {
    recencyDays: 40.2,
    orders: 6,
    avgOrderCents: 3000,
    tenureDays: 80.4,
    typicalGapDays: 8,
    gapTrend: 0,
    basketTrend: 0,
    recentOrders: 6,
    quietChance: 0.8,
    horizonDays: 29,
  };
  assert.equal(
    reasonText("quiet_chance", f),
    "at their pace (6 orders over 80 days, the last 40 days ago) a purchase in the next 29 days " +
      "is less likely than for the average customer",
  );
  assert.match(
    reasonText("quiet_chance", { ...f, orders: 1 }),
    /^at their pace \(one order only, 40 days ago\)/,
  );
  assert.match(
    reasonText("overdue", { ...f, typicalGapDays: 0.2 }),
    /usually every day or more often/,
  );
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
