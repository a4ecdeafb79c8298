import { publishSimulatorState } from "../ingest/simulator/state.ts";
import assert from "node:assert/strict";
import { WORKER_GROUP } from "../lib/keys.ts";
import { testRuntime } from "../lib/testing/services.ts";
import { evaluateRule } from "./evaluate.ts";
import { parseRule, type RuleInput } from "./rules.ts";
import { rollupHours, seedMinutes, seedStores } from "./test_receivers.ts";

// A Monday, 12:00 UTC.
const T0 = Date.parse("2026-03-02T12:00:00Z");
const rule = (r: Partial<RuleInput> & Pick<RuleInput, "type" | "params">) =>
  parseRule({ id: "r", name: "R", ...r } as RuleInput);

Deno.test("alerts evaluate - threshold: refund rate and pacing against last week", async () => {
  await using rt = await testRuntime("ev_thr");
  await seedStores(rt.sql, 3);
  // S01: 10% refunds; S02: 1%; S03: 50% but on too few receipts to judge.
  await seedMinutes(rt.sql, "S01", T0 - 30 * 60_000, T0, 1000, { refundCents: 100 });
  await seedMinutes(rt.sql, "S02", T0 - 30 * 60_000, T0, 1000, { refundCents: 10 });
  await seedMinutes(rt.sql, "S03", T0 - 60_000, T0, 1000, { refundCents: 500, transactions: 1 });
  const refunds = await evaluateRule(
    rt,
    rule({ type: "threshold", params: { metric: "refund_rate", op: "above", value: 5 } }),
    T0,
  );
  assert.deepEqual(refunds.map((o) => [o.key, o.active, o.value]), [
    ["S01", true, 10],
    ["S02", false, 1],
    ["S03", false, null],
  ]);

  // Pacing: today so far vs the same span a week ago (store-local day, UTC here).
  await rt.sql`delete from rollup_minute`;
  const dayStart = Date.parse("2026-03-02T00:00:00Z");
  await seedMinutes(rt.sql, "S01", dayStart - 7 * 86_400_000, T0 - 7 * 86_400_000, 100);
  await seedMinutes(rt.sql, "S01", dayStart, T0, 60); // -40 %
  await seedMinutes(rt.sql, "S02", dayStart - 7 * 86_400_000, T0 - 7 * 86_400_000, 100);
  await seedMinutes(rt.sql, "S02", dayStart, T0, 95); // -5 %
  await rollupHours(rt.sql);
  const pacing = await evaluateRule(
    rt,
    rule({ type: "threshold", params: { metric: "pacing", op: "below", value: -20 } }),
    T0,
  );
  assert.deepEqual(pacing.map((o) => [o.key, o.active, Math.round(o.value ?? NaN)]), [
    ["S01", true, -40],
    ["S02", false, -5],
    ["S03", false, NaN],
  ]);
});

Deno.test("alerts evaluate - pacing adds minutes and whole hours exactly in a half-hour zone", async () => {
  await using rt = await testRuntime("ev_pacing_tz");
  await seedStores(rt.sql, 1, { timezone: "Asia/Kolkata" });
  // 04:50 UTC is 10:20 in Kolkata; the local day began at 18:30 UTC the day before.
  const now = Date.parse("2026-03-02T04:50:00Z");
  const d0 = Date.parse("2026-03-01T18:30:00Z");
  await seedMinutes(rt.sql, "S01", d0, d0 + 30 * 60_000, 100); // today: only its first half hour
  await seedMinutes(rt.sql, "S01", d0 - 7 * 86_400_000, now - 7 * 86_400_000, 10);
  await rollupHours(rt.sql);
  const [o] = await evaluateRule(
    rt,
    rule({ type: "threshold", params: { metric: "pacing", op: "below", value: -20 } }),
    now,
  );
  // 3,000 today against 620 minutes x 10 = 6,200 a week ago.
  assert.equal(o.value?.toFixed(3), ((3000 / 6200 - 1) * 100).toFixed(3));
});

Deno.test("alerts evaluate - opening hours: no sales alert while closed, silent only while open", async () => {
  await using rt = await testRuntime("ev_hours");
  const hours = { mon: ["09:00", "18:00"], tue: ["09:00", "18:00"] };
  await seedStores(rt.sql, 1, { openingHours: hours, timezone: "Europe/Paris" });
  const low = rule({ type: "threshold", params: { metric: "sales", op: "below", value: 100 } });
  // 12:00 UTC is 13:00 in Paris: open, no sales -> fires.
  assert.equal((await evaluateRule(rt, low, T0))[0].active, true);
  // 20:00 UTC is 21:00 in Paris: closed -> not evaluated.
  assert.deepEqual(await evaluateRule(rt, low, T0 + 8 * 3600_000), []);
  // 08:15 UTC is 09:15 in Paris: open for 15 min only, a 30-min window is not judged yet.
  assert.deepEqual(await evaluateRule(rt, low, Date.parse("2026-03-02T08:15:00Z")), []);

  const silent = rule({ type: "pipeline", params: { check: "store_silent", minutes: 20 } });
  await seedMinutes(rt.sql, "S01", T0 - 10 * 60_000, T0 - 5 * 60_000, 100);
  assert.equal((await evaluateRule(rt, silent, T0))[0].active, false);
  const later = await evaluateRule(rt, silent, T0 + 30 * 60_000);
  assert.equal(later[0].active, true);
  assert.match(later[0].summary, /no sales for 20\+ min while open/);
  assert.deepEqual(await evaluateRule(rt, silent, T0 + 8 * 3600_000), [], "closed: not silent");
  // While the simulator backfills, silence cannot be told from receipts not processed yet.
  await publishSimulatorState(rt, { phase: "backfill", done: 10, total: 100 });
  const held = await evaluateRule(rt, silent, T0 + 30 * 60_000);
  assert.equal(held[0].active, false);
  assert.equal(held[0].clear, false, "neither firing nor clearing: the alert holds");
});

Deno.test("alerts evaluate - anomaly flags by severity; the alert takes the worst flag's severity", async () => {
  await using rt = await testRuntime("ev_anom");
  await seedStores(rt.sql, 2);
  const flag = (store: string, kind: string, severity: string, score: number, endMin: number) =>
    rt.sql`insert into anomaly_flags (detector, kind, store_id, window_start, window_end,
             severity, score)
           values ('forecast_band', ${kind}, ${store}, ${new Date(T0 - (endMin + 60) * 60_000)},
             ${new Date(T0 - endMin * 60_000)}, ${severity}, ${score})`;
  await flag("S01", "sales_low", "high", 6.5, 5);
  await flag("S01", "refund_burst", "critical", 9.1, 10);
  await flag("S02", "sales_high", "medium", 3.2, 5); // below min severity
  await flag("S02", "sales_low", "critical", 8.0, 120); // too old for the lookback
  const obs = await evaluateRule(
    rt,
    rule({ type: "anomaly", params: { min_severity: "high", lookback_min: 60 } }),
    T0,
  );
  assert.deepEqual(obs.map((o) => [o.key, o.active, o.severity]), [
    ["S01", true, "critical"],
    ["S02", false, undefined],
  ]);
  assert.match(obs[0].summary, /2 anomaly flags \(refund_burst, sales_low\), worst critical/);
});

Deno.test("alerts evaluate - inventory: stock-outs and days of cover per store", async () => {
  await using rt = await testRuntime("ev_inv");
  await seedStores(rt.sql, 2);
  await rt.sql`insert into inventory (store_id, sku, on_hand) values
    ('S01', 'A', 0), ('S01', 'B', -2), ('S01', 'C', 5), ('S02', 'A', 3)`;
  await rt.sql`insert into stock_risk (store_id, sku, daily_demand, on_hand, days_of_cover) values
    ('S01', 'C', 5, 5, 1.0), ('S02', 'A', 1, 3, 3.0)`;
  const out = await evaluateRule(
    rt,
    rule({ type: "inventory", params: { condition: "stockout" } }),
    T0,
  );
  assert.deepEqual(out.map((o) => [o.key, o.active, o.value]), [["S01", true, 2], [
    "S02",
    false,
    0,
  ]]);
  assert.match(out[0].summary, /2 SKU\(s\) out of stock: A, B/);
  const cover = await evaluateRule(
    rt,
    rule({ type: "inventory", params: { condition: "days_of_cover_below", days: 2 } }),
    T0,
  );
  assert.deepEqual(cover.map((o) => [o.key, o.active]), [["S01", true], ["S02", false]]);
});

Deno.test("alerts evaluate - pipeline: consumer-group lag in seconds and dead letters growing", async () => {
  await using rt = await testRuntime("ev_pipe");
  const stream = rt.keys.stream("sales", 0);
  for (let i = 0; i < 5; i++) await rt.redis.xadd(stream, `${T0 - 120_000 + i * 1000}-0`, "e", "x");
  await rt.redis.xgroup("CREATE", stream, WORKER_GROUP, "0");
  // One entry delivered and not acknowledged: it is the oldest unfinished work.
  await rt.redis.xreadgroup("GROUP", WORKER_GROUP, "w1", "COUNT", 1, "STREAMS", stream, ">");
  const lag = rule({ type: "pipeline", params: { check: "lag_above", seconds: 60 } });
  let obs = await evaluateRule(rt, lag, T0);
  assert.equal(obs.length, 1, "only streams with a group are judged");
  assert.equal(obs[0].key, "stream:pos:sales:{0}");
  assert.equal(obs[0].value, 120);
  assert.equal(obs[0].active, true);
  // Everything read and acknowledged: caught up.
  const rest = await rt.redis.xreadgroup("GROUP", WORKER_GROUP, "w1", "STREAMS", stream, ">") as [
    string,
    [string, string[]][],
  ][];
  const ids = [`${T0 - 120_000}-0`, ...rest[0][1].map(([id]) => id)];
  await rt.redis.xack(stream, WORKER_GROUP, ...ids);
  obs = await evaluateRule(rt, lag, T0);
  assert.deepEqual([obs[0].active, obs[0].value], [false, 0]);

  const dlq = rule({
    type: "pipeline",
    params: { check: "dlq_growing", min_new: 3, window_min: 10 },
  });
  for (let i = 0; i < 2; i++) {
    await rt.redis.xadd(rt.keys.dlq, `${T0 - 3600_000 + i}-0`, "r", "old");
  }
  for (let i = 0; i < 3; i++) await rt.redis.xadd(rt.keys.dlq, `${T0 - 60_000 + i}-0`, "r", "new");
  obs = await evaluateRule(rt, dlq, T0);
  assert.deepEqual([obs[0].active, obs[0].value], [true, 3]);
  assert.equal((await evaluateRule(rt, dlq, T0 + 20 * 60_000))[0].active, false);
});
