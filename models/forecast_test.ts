import assert from "node:assert/strict";
import { testDb } from "../lib/testing/services.ts";
import { insertSyntheticHistory } from "./testing/synthetic.ts";
import { trainForecast } from "./forecast.ts";
import { HOUR_MS } from "./calendar.ts";
import { promoteModel } from "./promotion.ts";
import { reconcileChain } from "./forecast_model.ts";

Deno.test("forecast - beats seasonal naive by >= 15% MASE with a calibrated 80% band", async () => {
  await using db = await testDb("forecast");
  const { to } = await insertSyntheticHistory(db.sql, { stores: 3, categories: 3, days: 42 });
  const res = await trainForecast(db.sql, {
    epochs: 6,
    seed: 1,
    now: to + HOUR_MS,
    maxRows: 40_000,
  });
  const o = res.metrics.backtest.overall;
  console.log(
    JSON.stringify({
      overall: o,
      byLevel: res.metrics.backtest.byLevel,
      timings: res.timings,
      backend: res.backend,
    }),
  );
  assert.equal(res.backend, "wasm");
  assert.equal(res.version, 1);
  assert.ok(o.improvement >= 0.15, `MASE ${o.mase} vs naive ${o.baselineMase}`);
  assert.ok(o.coverage >= 0.75 && o.coverage <= 0.85, `coverage ${o.coverage}`);
});

Deno.test("forecast - promotion re-measures the active model on the candidate's backtest", async () => {
  await using db = await testDb("forecast_promo");
  const { to } = await insertSyntheticHistory(db.sql, { stores: 2, categories: 2, days: 35 });
  const now = to + HOUR_MS;
  const good = await trainForecast(db.sql, { epochs: 6, seed: 1, now, maxRows: 20_000 });
  assert.ok((await promoteModel(db.sql, "forecast", good.version, { actor: "t", now })).promoted);
  // A network trained on 300 rows only.
  const weak = await trainForecast(db.sql, { epochs: 1, seed: 9, now, maxRows: 300 });
  const r = await promoteModel(db.sql, "forecast", weak.version, { actor: "t", now });
  assert.equal(r.promoted, false, r.reason);
  assert.match(r.reason, /does not beat active version 1 \(.* on the same backtest\)/);
  const [ev] = await db.sql`select action from model_events where version = ${weak.version}
                            and action <> 'register'`;
  assert.equal(ev.action, "refuse");
});

Deno.test("forecast - chain is the bias-corrected sum of store medians with a widened independent band", () => {
  const series = [
    { store: "*", category: "*" },
    { store: "S1", category: "*" },
    { store: "S2", category: "*" },
    { store: "S1", category: "C1" },
  ];
  const targets = series.map((_, s) => ({ s, t: 200, h: 3 }));
  const p = {
    p10: Float64Array.from([0, 70, 170, 5]),
    p50: Float64Array.from([0, 100, 200, 10]),
    p90: Float64Array.from([0, 140, 240, 20]),
    open: Uint8Array.from([0, 1, 1, 1]),
  };
  reconcileChain(series, targets, p, 2, 1.05);
  // Medians do not add: the centre is 300 x 1.05; half-widths sqrt(30² + 30²) and
  // sqrt(40² + 40²), times 2. Category rows are not part of the chain sum.
  assert.equal(p.p50[0], 315);
  assert.ok(Math.abs(p.p10[0] - (315 - 2 * Math.hypot(30, 30))) < 1e-9);
  assert.ok(Math.abs(p.p90[0] - (315 + 2 * Math.hypot(40, 40))) < 1e-9);
  assert.equal(p.open[0], 1);
});
