import assert from "node:assert/strict";
import { fixedClock } from "../lib/clock.ts";
import { testRuntime } from "../lib/testing/services.ts";
import { evaluateAlerts } from "./engine.ts";
import { saveChannel, saveRule } from "./rule_store.ts";
import { parseRule, type RuleInput } from "./rules.ts";
import { createSilence } from "./silences.ts";
import { httpSink, seedMinutes, seedStores } from "./test_receivers.ts";

const T0 = Date.parse("2026-03-02T12:00:00Z");

async function setup(label: string, rule: Partial<RuleInput> = {}) {
  const clock = fixedClock(T0);
  const rt = await testRuntime(label, { clock });
  const sink = httpSink();
  await saveChannel(rt.sql, {
    id: "hook",
    name: "Hook",
    type: "webhook",
    enabled: true,
    config: {
      url: `${sink.url}/hook`,
      retry: { max_attempts: 3, base_ms: 1000, timeout_ms: 2000 },
    },
  });
  await saveRule(rt.sql, {
    ...parseRule({
      id: "sales-low",
      name: "Sales low",
      type: "threshold",
      params: { metric: "sales", op: "below", value: 1000, window_min: 30 },
      interval_s: 60,
      channels: ["hook"],
      ...rule,
    } as RuleInput),
    provisioned: false,
  });
  return { rt, clock, sink };
}

Deno.test("alerts engine - twelve stores dropping at once are one grouped webhook", async () => {
  const { rt, sink } = await setup("eng_group");
  await using _rt = rt;
  await using _s = sink;
  const ids = await seedStores(rt.sql, 14);
  // Two stores keep selling; twelve sell nothing in the window.
  for (const id of ids.slice(0, 2)) await seedMinutes(rt.sql, id, T0 - 30 * 60_000, T0, 500);
  const r = await evaluateAlerts(rt, T0);
  assert.equal(r.events.filter((e) => e.event === "firing").length, 12);
  assert.equal(r.notifications, 1);
  assert.equal(sink.received.length, 1);
  const body = sink.received[0].json() as { kind: string; alerts: { store_ids: string[] }[] };
  assert.equal(body.kind, "firing");
  assert.deepEqual(body.alerts.map((a) => a.store_ids[0]), ids.slice(2));
  const live = (await rt.redis.xrange(rt.keys.alertUpdates, "-", "+"))
    .map(([, f]) => JSON.parse(f[1]) as { type: string; message?: { alerts: unknown[] } });
  assert.equal(live.filter((e) => e.type === "alert").length, 12, "a state event per alert");
  const notes = live.filter((e) => e.type === "notification");
  assert.equal(notes.length, 1, "one grouped in-app notification");
  assert.equal(notes[0].message?.alerts.length, 12);
});

Deno.test("alerts engine - a condition toggling at every evaluation yields one alert", async () => {
  const { rt, clock, sink } = await setup("eng_flap");
  await using _rt = rt;
  await using _s = sink;
  await seedStores(rt.sql, 1);
  for (let i = 0; i < 20; i++) {
    const now = T0 + i * 60_000;
    clock.set(now);
    await rt.sql`delete from rollup_minute`;
    // Odd passes: plenty of sales; even passes: none.
    if (i % 2 === 1) await seedMinutes(rt.sql, "S01", now - 30 * 60_000, now, 500);
    await evaluateAlerts(rt, now);
  }
  const alerts = await rt.sql`select state, flap_count from alerts`;
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].state, "firing");
  assert.equal(alerts[0].flap_count, 9);
  assert.equal(sink.received.length, 1, "one notification, not one per flap");
});

Deno.test("alerts engine - resolves after the clear period and notifies the resolution", async () => {
  const { rt, sink } = await setup("eng_resolve", { resolve: { after_s: 120 } });
  await using _rt = rt;
  await using _s = sink;
  await seedStores(rt.sql, 1);
  await evaluateAlerts(rt, T0);
  await seedMinutes(rt.sql, "S01", T0 - 30 * 60_000, T0 + 10 * 60_000, 500);
  for (let i = 1; i <= 4; i++) await evaluateAlerts(rt, T0 + i * 60_000);
  const [a] = await rt.sql`select state, resolved_by from alerts`;
  assert.equal(a.state, "resolved");
  assert.equal(a.resolved_by, null);
  assert.deepEqual(sink.received.map((r) => (r.json() as { kind: string }).kind), [
    "firing",
    "resolved",
  ]);
  const h = await rt.sql`select event from alert_history order by id`;
  assert.deepEqual(h.map((x) => x.event), ["firing", "notified", "resolved", "notified"]);
});

Deno.test("alerts engine - a store silence mutes that store only, a rule silence mutes all", async () => {
  const { rt, sink } = await setup("eng_silence");
  await using _rt = rt;
  await using _s = sink;
  await seedStores(rt.sql, 3);
  const base = {
    starts_at: new Date(T0 - 1000),
    ends_at: new Date(T0 + 3600_000),
    reason: "refit",
  };
  await createSilence(rt.sql, { ...base, rule_id: null, store_id: "S02", created_by: "manager" });
  await evaluateAlerts(rt, T0);
  const body = sink.received[0].json() as { alerts: { store_ids: string[] }[] };
  assert.deepEqual(body.alerts.map((a) => a.store_ids[0]), ["S01", "S03"]);
  const [s] = await rt.sql`select count(*)::int as n from alert_history where event = 'silenced'`;
  assert.equal(s.n, 1);
  assert.equal((await rt.sql`select * from alerts where state = 'firing'`).length, 3);

  await rt.sql`update alerts set state = 'resolved', resolved_at = now()`;
  await createSilence(rt.sql, { ...base, rule_id: "sales-low", store_id: null, created_by: "m" });
  await evaluateAlerts(rt, T0 + 60_000);
  assert.equal(sink.received.length, 1, "rule silence: no new webhook");
});

Deno.test("alerts engine - repeat interval re-notifies a firing, unacknowledged alert", async () => {
  const { rt, sink } = await setup("eng_repeat", { repeat_s: 600 });
  await using _rt = rt;
  await using _s = sink;
  await seedStores(rt.sql, 1);
  for (let i = 0; i <= 10; i++) await evaluateAlerts(rt, T0 + i * 60_000);
  assert.deepEqual(sink.received.map((r) => (r.json() as { kind: string }).kind), [
    "firing",
    "repeat",
  ]);
});

Deno.test("alerts engine - while clearing, a firing alert keeps saying what fired", async () => {
  const { rt, clock, sink } = await setup("eng_clear_summary", { resolve: { after_s: 600 } });
  await using _rt = rt;
  await using _s = sink;
  await seedStores(rt.sql, 1);
  await evaluateAlerts(rt, T0);
  const [fired] = await rt.sql`select state, summary from alerts`;
  assert.equal(fired.state, "firing");
  // Sales come back: the condition clears, but the alert only resolves after 10 minutes.
  const now = T0 + 60_000;
  clock.set(now);
  await seedMinutes(rt.sql, "S01", now - 30 * 60_000, now, 500);
  await evaluateAlerts(rt, now);
  const [clearing] = await rt.sql`select state, summary, clear_since from alerts`;
  assert.equal(clearing.state, "firing");
  assert.ok(clearing.clear_since, "the clear period has started");
  assert.equal(clearing.summary, fired.summary);
});
