import assert from "node:assert/strict";
import { testDb } from "../lib/testing/services.ts";
import { insertSyntheticHistory } from "./testing/synthetic.ts";
import { trainForecast } from "./forecast.ts";
import { HOUR_MS } from "./calendar.ts";

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
