import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { fixedClock } from "../lib/clock.ts";
import { insertSyntheticHistory } from "../models/testing/synthetic.ts";
import { runJobOnce } from "./scheduler.ts";
import { JOBS } from "./jobs.ts";
import { recentRuns } from "./runs.ts";
import { HOUR_MS } from "../lib/clock.ts";
import { bootstrapModels, laggingStores, storesStillLoading } from "../models/bootstrap.ts";

Deno.test("scheduler - a fresh install trains and writes first forecasts on start", async () => {
  const now = Date.parse("2026-03-16T10:20:00Z");
  await using rt = await testRuntime("bootstrap", { clock: fixedClock(now) });
  const job = JOBS.find((j) => j.name === "bootstrap")!;
  const ctl = new AbortController();
  // Not enough history yet: the job waits and says why.
  assert.equal(await runJobOnce(rt, job, now, { signal: ctl.signal }), "skipped");
  let [run] = await recentRuns(rt.sql, { job: "bootstrap" });
  assert.match(String(run.details.forecast), /waiting for history/);

  const start = Math.floor(now / HOUR_MS) * HOUR_MS - 21 * 24 * HOUR_MS;
  await insertSyntheticHistory(rt.sql, { stores: 2, categories: 2, days: 21, start });
  assert.equal(await runJobOnce(rt, job, now + 60_000, { signal: ctl.signal }), "ok");
  [run] = await recentRuns(rt.sql, { job: "bootstrap" });
  assert.deepEqual(
    (run.details.forecast as { promoted: boolean }).promoted,
    true,
    JSON.stringify(run.details),
  );
  const [f] = await rt.sql`select count(*)::int as n, min(bucket) as first, min(model) as model
    from forecasts where resolution = 'hour' and bucket >= ${new Date(
    Math.floor(now / HOUR_MS) * HOUR_MS,
  )}`;
  assert.equal(f.n, 48 * (2 * 2 + 2 + 1)); // 48 h x (store x category + stores + chain)
  assert.equal(f.model, "forecast@1");
  // Trained in a Web Worker, still on the WASM backend.
  const [v] = await rt.sql`select params from model_versions where name = 'forecast'`;
  assert.equal(v.params.backend, "wasm");
  const [d] = await rt.sql`select count(*)::int as n from forecasts where resolution = 'day'`;
  assert.equal(d.n, 14 * 7);

  // Next minute: nothing to do.
  assert.equal(await runJobOnce(rt, job, now + 120_000, { signal: ctl.signal }), "skipped");
});

Deno.test("scheduler - bootstrap trains nothing while history is still arriving", async () => {
  const now = Date.parse("2026-03-16T10:20:00Z");
  await using rt = await testRuntime("bootstrap_seam", { clock: fixedClock(now) });
  const start = Math.floor(now / HOUR_MS) * HOUR_MS - 21 * 24 * HOUR_MS;
  await insertSyntheticHistory(rt.sql, { stores: 3, categories: 2, days: 21, start });

  // The pipeline says it is behind: every model waits with its reason.
  let done = await bootstrapModels(rt.sql, now, {
    unsettled: () => Promise.resolve("simulator still backfilling history (5 of 9 hours)"),
  });
  assert.equal(done.forecast, "waiting: simulator still backfilling history (5 of 9 hours)");
  assert.equal(done.skipped, "waiting for history");

  // One store's partition is days behind the others (the backfill seam of a fresh start).
  await rt.sql`delete from rollup_hour where store_id = 'S002'
               and bucket >= ${new Date(now - 5 * 24 * HOUR_MS)}`;
  assert.deepEqual(await laggingStores(rt.sql, now), ["S002"]);
  done = await bootstrapModels(rt.sql, now, { unsettled: () => Promise.resolve(null) });
  assert.equal(done.forecast, "waiting: history still loading for 1 store(s) (S002)");
  const [v] = await rt.sql`select count(*)::int as n from model_versions`;
  assert.equal(v.n, 0);

  // A store that stays behind for two hours is closed, not loading: training goes ahead (a
  // waiting episode more than a day old does not count).
  await rt.sql`insert into job_runs (job, scheduled_for, status, details, runner)
    values ('bootstrap', ${new Date(now - 2 * HOUR_MS - 60_000)}, 'skipped',
            ${rt.sql.json(done as Record<string, string>)}, 'test')`;
  assert.equal(await storesStillLoading(rt.sql, now), null);
  assert.match(String(await storesStillLoading(rt.sql, now + 30 * HOUR_MS)), /S002/);
});

Deno.test("scheduler - bootstrap writes stock risk once there is inventory and a week of SKU history", async () => {
  const now = Date.parse("2026-03-16T10:20:00Z");
  await using rt = await testRuntime("bootstrap_demand", { clock: fixedClock(now) });
  await rt.sql`insert into stores (id, name, timezone) values ('S1', 'One', 'UTC')`;
  await rt.sql`insert into inventory (store_id, sku, on_hand)
    select 'S1', 'K' || i, 20 from generate_series(1, 5) i`;
  const history = async (from: number, to: number) => {
    await rt.sql`insert into sku_daily (store_id, day, sku, category, units, revenue_cents)
      select 'S1', ${new Date(now)}::date - d, 'K' || i, 'C', 3, 300
      from generate_series(${from}::int, ${to}::int) d, generate_series(1, 5) i`;
  };
  const risk = async () => (await rt.sql`select count(*)::int as n from stock_risk`)[0].n;

  await history(1, 5); // five days: not enough
  let done = await bootstrapModels(rt.sql, now);
  assert.equal(done.demandRun, undefined, JSON.stringify(done));
  assert.equal(await risk(), 0);

  await history(6, 9); // nine days
  done = await bootstrapModels(rt.sql, now);
  assert.ok(done.demandRun, JSON.stringify(done));
  assert.equal(await risk(), 5);

  // Stock risk written and the demand model tried: nothing more to do for it.
  done = await bootstrapModels(rt.sql, now + 60_000);
  assert.equal(done.demandRun, undefined, JSON.stringify(done));
  assert.equal(done.demandTrain, undefined, JSON.stringify(done));
});
