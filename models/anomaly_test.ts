import assert from "node:assert/strict";
import { testDb } from "../lib/testing/services.ts";
import { insertSyntheticHistory } from "./testing/synthetic.ts";
import { plantAnomalies } from "./testing/synthetic_receipts.ts";
import { trainForecast } from "./forecast.ts";
import { promote } from "./registry.ts";
import { evaluateAnomaly } from "./anomaly_eval.ts";
import { HOUR_MS } from "./calendar.ts";
import { poissonTailLog10 } from "./anomaly_score.ts";

Deno.test("anomaly - finds labelled anomalies with precision and recall >= 0.8", async () => {
  await using db = await testDb("anomaly");
  const { to } = await insertSyntheticHistory(db.sql, {
    stores: 3,
    categories: 3,
    days: 35,
    noise: 0.15,
    timezones: ["UTC"],
  });
  const res = await trainForecast(db.sql, { epochs: 6, seed: 2, now: to, maxRows: 40_000 });
  await promote(db.sql, "forecast", res.version, { force: true, actor: "test" });
  const from = to - 7 * 24 * HOUR_MS;
  const labels = await plantAnomalies(db.sql, { stores: ["S001", "S002", "S003"], from, to });
  const ev = await evaluateAnomaly(db.sql, { from, to });
  console.log(JSON.stringify({ ...ev, band: ev.band.length, register: ev.register.length }));
  assert.equal(ev.labels, labels);
  assert.ok(ev.precision >= 0.8, `precision ${ev.precision}`);
  assert.ok(ev.recall >= 0.8, `recall ${ev.recall}`);
});

Deno.test("anomaly - Poisson tail is monotone and matches a known value", () => {
  // P(X >= 3 | lambda = 1) = 1 - e^-1 (1 + 1 + 1/2) = 0.0803
  assert.ok(Math.abs(poissonTailLog10(3, 1) - -Math.log10(0.0803014)) < 1e-4);
  assert.ok(poissonTailLog10(6, 0.05) > poissonTailLog10(5, 0.05));
  assert.ok(poissonTailLog10(400, 0.01) > 100);
});
