import assert from "node:assert/strict";
import { testRuntime } from "../../lib/testing/services.ts";
import { handleEvents } from "../http.ts";
import { startWorkers, waitProcessed } from "../csv/drain.ts";
import { anomaliesForWeek } from "./anomalies.ts";
import { buildCatalog } from "./catalog.ts";
import { simStores } from "./cities.ts";
import { Simulator } from "./generator.ts";
import { backfill, ensureSimStores, live, naturalRate } from "./runner.ts";
import { QUARTER_MS } from "./store_sim.ts";
import { fixedClock } from "../../lib/clock.ts";
import { httpSender, xaddSender } from "./senders.ts";

const WEEK = 7 * 86_400_000;
const W = 2920;

Deno.test("simulator - backfill through the producer lands receipts and labels once, however often it runs", async () => {
  await using rt = await testRuntime("sim_backfill");
  const stores = simStores(3);
  const first = anomaliesForWeek(5, W, stores, buildCatalog()).sort((a, b) => a.start - b.start)[0];
  const start = first.start - 4 * 3_600_000, until = first.start + 6 * 3_600_000;

  let expected = { n: 0, cents: 0 };
  for (let round = 0; round < 2; round++) {
    const sim = new Simulator({ seed: 5, stores: 3, start });
    await ensureSimStores(rt, sim.stores);
    const check = new Simulator({ seed: 5, stores: 3, start }).until(until)
      .filter((e) => e.event.type === "sale" || e.event.type === "refund");
    expected = {
      n: check.length,
      cents: check.reduce((a, e) => a + Math.round(Number(e.event.total) * 100), 0),
    };
    const sender = xaddSender(rt);
    const workers = startWorkers(rt);
    try {
      const stats = await backfill(rt, sim, sender, { until });
      assert.equal(stats.rejected, 0, stats.firstError ?? "");
      assert.ok(stats.labels >= 1);
      await waitProcessed(rt, sender.marks!, { timeoutMs: 60_000 });
    } finally {
      await workers.stop();
    }
  }
  const [r] = await rt
    .sql`select count(*)::int as n, sum(total_cents)::int8 as cents from receipts`;
  assert.deepEqual({ ...r }, expected);
  const labels = await rt.sql`select kind, store_id, starts_at from anomaly_labels`;
  assert.ok(
    labels.some((l) =>
      l.kind === first.kind && l.store_id === first.storeId &&
      (l.starts_at as Date).getTime() === first.start
    ),
  );
  assert.equal(new Set(labels.map((l) => `${l.kind}${l.starts_at}`)).size, labels.length);
  const [{ n: stores_n }] = await rt.sql`select count(*)::int as n from stores`;
  assert.equal(stores_n, 3);
});

Deno.test("simulator - the http sender posts through the connector with a key it creates", async () => {
  await using rt = await testRuntime("sim_http");
  const sim = new Simulator({ seed: 2, stores: 2, start: W * WEEK + 15 * 3_600_000 });
  await ensureSimStores(rt, sim.stores);
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (req) => handleEvents(req, rt),
  );
  const sender = await httpSender(rt, `http://127.0.0.1:${server.addr.port}`);
  const events = sim.until(sim.start + 3_600_000).map((e) => e.event);
  assert.ok(events.length > 500);
  const r = await sender.send(events);
  assert.equal(r.rejected.length, 0, r.rejected[0]?.error ?? "");
  assert.equal(r.accepted, events.length);
  const [{ n }] = await rt
    .sql`select count(*)::int as n from connector_keys where name = 'simulator'`;
  assert.equal(n, 1);
  let entries = 0;
  for (const f of ["sales", "inventory", "customers"] as const) {
    for (const s of rt.keys.streams(f, rt.partitions)) entries += await rt.redis.xlen(s);
  }
  assert.equal(entries, events.length);
});

Deno.test("simulator - a live run started late in its hour sends the hour so far a quarter hour at a time", async () => {
  // 50 minutes into a busy hour (Saturday 12:50 in New York): the live run starts at the top of
  // the hour, so it first catches up 50 minutes; all at once, a fast run held them all in memory.
  const now = W * WEEK + 2 * 86_400_000 + 17 * 3_600_000 + 50 * 60_000;
  await using rt = await testRuntime("sim_live_chunks", { clock: fixedClock(now) });
  const options = { seed: 4, stores: 3, start: now, shape: "flat" as const };
  const sim = new Simulator(options);
  await ensureSimStores(rt, sim.stores);
  const ctl = new AbortController();
  const sent: { events: number; span: number }[] = [];
  const sender = {
    send(events: Record<string, unknown>[]) {
      const ts = events.map((e) => Date.parse(e.timestamp as string));
      sent.push({ events: events.length, span: Math.max(...ts) - sim.start });
      if (sim.takenUntil >= now) ctl.abort(); // caught up: stop after this send
      return Promise.resolve({ accepted: events.length, rejected: [] });
    },
  };
  const rate = 20;
  const stats = await live(rt, sim, sender, { rate, signal: ctl.signal, tickMs: 5 });
  // The same history taken whole, at the same rate.
  const whole = new Simulator({ ...options, scale: rate / naturalRate(sim.stores) }).until(now);
  assert.equal(stats.events, whole.length);
  assert.ok(whole.length > 10_000, `${whole.length} events`);
  assert.equal(sent.length, 4, JSON.stringify(sent)); // 0–15, 15–30, 30–45, 45–50 minutes
  sent.forEach((s, i) =>
    assert.ok(s.span < Math.min(50, (i + 1) * 15) * 60_000, `send ${i}: ${JSON.stringify(s)}`)
  );
  assert.ok(sim.generatedUntil <= now + QUARTER_MS, "at most one quarter hour generated ahead");
});
