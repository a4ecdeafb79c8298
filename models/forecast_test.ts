import assert from "node:assert/strict";
import { testDb } from "../lib/testing/services.ts";
import { insertSyntheticHistory } from "./testing/synthetic.ts";
import { trainForecast } from "./forecast.ts";
import { HOUR_MS } from "./calendar.ts";
import { promoteModel } from "./promotion.ts";

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
