import assert from "node:assert/strict";
import { fixedClock } from "../lib/clock.ts";
import { testRuntime } from "../lib/testing/services.ts";
import { createApp } from "../lib/web/app.ts";
import { settleDeliveries } from "./deliver_soon.ts";
import { evaluateAlerts } from "./engine.ts";
import { httpSink, seedMinutes, seedStores } from "./test_receivers.ts";

const T0 = Date.parse("2026-03-02T12:00:00Z");
const json = (body: unknown, user?: string): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json", ...(user ? { "x-tillstream-user": user } : {}) },
  body: JSON.stringify(body),
});

Deno.test("alerts api - rules CRUD, preview, alert list, ack, comment, resolve, history", async () => {
  const clock = fixedClock(T0);
  await using rt = await testRuntime("api_flow", { clock });
  await using sink = httpSink();
  sink.respond = () => Response.json({ status: "success" }, { status: 202 });
  const app = await createApp(rt);
  await seedStores(rt.sql, 3);
  // S01 sold well all week except yesterday 10:00-11:00; S02 and S03 sell now.
  for (const s of ["S01", "S02", "S03"]) await seedMinutes(rt.sql, s, T0 - 8 * 86_400_000, T0, 100);
  await rt.sql`delete from rollup_minute where store_id = 'S01'
               and bucket >= ${new Date(T0 - 26 * 3600_000)} and bucket < ${new Date(
    T0 - 25 * 3600_000,
  )}`;

  let res = await app.request(
    "/api/v1/alerts/channels",
    json({
      id: "pd",
      name: "PagerDuty",
      type: "pagerduty",
      config: { routing_key: "ABCDEFGH1234", url: `${sink.url}/pd` },
    }),
  );
  assert.equal(res.status, 201);
  assert.equal((await res.json()).channel.config.routing_key, "********1234");

  const rule = {
    id: "sales-low",
    name: "Sales low",
    type: "threshold",
    params: { metric: "sales", op: "below", value: 1000, window_min: 30 },
    channels: ["pd"],
  };
  res = await app.request("/api/v1/alerts/rules/preview", json(rule));
  const { preview } = await res.json();
  assert.equal(preview.historical, true);
  assert.deepEqual(preview.fired.map((f: { key: string }) => f.key), ["S01"]);
  assert.match(preview.summary, /would have fired 1 time for 1 scope in the last 7 days/);

  res = await app.request("/api/v1/alerts/rules", json(rule));
  assert.equal(res.status, 201);
  res = await app.request("/api/v1/alerts/rules", json(rule));
  assert.equal(res.status, 409);
  res = await app.request(
    "/api/v1/alerts/rules",
    json({ ...rule, id: "x", params: { metric: "nope" } }),
  );
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /params\.metric/);
  res = await app.request("/api/v1/alerts/rules", json({ ...rule, id: "y", channels: ["nope"] }));
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /channels\.0: unknown channel "nope"/);

  await rt.sql`delete from rollup_minute where store_id = 'S02' and bucket >= ${new Date(
    T0 - 30 * 60_000,
  )}`;
  await evaluateAlerts(rt, T0);
  res = await app.request("/api/v1/alerts");
  const { alerts } = await res.json();
  assert.equal(alerts.length, 1);
  assert.deepEqual(alerts[0].store_ids, ["S02"]);
  const id = alerts[0].id;

  res = await app.request(`/api/v1/alerts/${id}/ack`, json({}, "ana"));
  assert.equal(res.status, 200);
  assert.equal((await res.json()).alert.acked_by, "ana");
  res = await app.request(`/api/v1/alerts/${id}/ack`, json({}, "ana"));
  assert.equal(res.status, 409);
  res = await app.request(
    `/api/v1/alerts/${id}/comments`,
    json({ text: "called the store" }, "ana"),
  );
  assert.equal(res.status, 201);
  res = await app.request(`/api/v1/alerts/${id}/resolve`, json({ note: "till fixed" }, "bo"));
  assert.equal((await res.json()).alert.resolved_by, "bo");
  await settleDeliveries(rt);

  res = await app.request(`/api/v1/alerts/${id}`);
  const detail = (await res.json()).alert;
  assert.deepEqual(
    detail.history.map((h: { event: string; actor: string | null }) => [h.event, h.actor]),
    [
      ["firing", null],
      ["notified", null],
      ["acknowledged", "ana"],
      ["notified", null],
      [
        "comment",
        "ana",
      ],
      ["resolved", "bo"],
      ["notified", null],
    ],
  );
  assert.deepEqual(
    sink.received.map((r) => (r.json() as { event_action: string }).event_action),
    ["trigger", "acknowledge", "resolve"],
  );
  assert.equal(detail.deliveries.length, 3);
  assert.ok(detail.deliveries.every((d: { status: string }) => d.status === "delivered"));
  assert.equal((await app.request("/api/v1/alerts/999999")).status, 404);
  assert.equal((await app.request("/api/v1/alerts?state=all")).status, 200);
});

Deno.test("alerts api - a store manager sees and subscribes only to their stores", async () => {
  await using rt = await testRuntime("api_mgr", { clock: fixedClock(T0) });
  const app = await createApp(rt);
  await seedStores(rt.sql, 2);
  let res = await app.request(
    "/api/v1/alerts/users",
    json({
      id: "sm1",
      name: "Store manager 1",
      email: "sm1@example.com",
      role: "store_manager",
      store_ids: ["S01"],
    }),
  );
  assert.equal(res.status, 201);
  await app.request(
    "/api/v1/alerts/rules",
    json({
      id: "sales-low",
      name: "Sales low",
      type: "threshold",
      params: { metric: "sales", op: "below", value: 1000 },
    }),
  );
  await evaluateAlerts(rt, T0);
  const all = (await (await app.request("/api/v1/alerts")).json()).alerts;
  assert.equal(all.length, 2);
  const mine = (await (await app.request("/api/v1/alerts", {
    headers: { "x-tillstream-user": "sm1" },
  })).json()).alerts;
  assert.deepEqual(mine.map((a: { store_ids: string[] }) => a.store_ids), [["S01"]]);
  const other = all.find((a: { store_ids: string[] }) => a.store_ids[0] === "S02");
  res = await app.request(`/api/v1/alerts/${other.id}/ack`, json({}, "sm1"));
  assert.equal(res.status, 404);
  res = await app.request("/api/v1/alerts/subscriptions", json({ store_id: "S02" }, "sm1"));
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /not one of yours/);
});

Deno.test("alerts api - settings, push subscription, VAPID key, silences", async () => {
  await using rt = await testRuntime("api_settings", { clock: fixedClock(T0) });
  const app = await createApp(rt);
  let res = await app.request("/api/v1/alerts/settings", {
    method: "PUT",
    headers: { "content-type": "application/json", "x-tillstream-user": "ana" },
    body: JSON.stringify({ timezone: "Europe/Paris", quiet_start: "22:00", quiet_end: "07:00" }),
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).settings.quiet_start, "22:00");
  res = await app.request("/api/v1/alerts/settings", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ timezone: "Mars/Olympus" }),
  });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /IANA time zone/);
  const { publicKey } = await (await app.request("/api/v1/alerts/push/vapid-public-key")).json();
  assert.match(publicKey, /^[A-Za-z0-9_-]{80,90}$/);
  const again = await (await app.request("/api/v1/alerts/push/vapid-public-key")).json();
  assert.equal(again.publicKey, publicKey, "generated once, then stored");
  res = await app.request(
    "/api/v1/alerts/push/subscriptions",
    json({
      endpoint: "https://push.example.com/abc",
      keys: { p256dh: "B".repeat(87), auth: "a".repeat(22) },
    }, "ana"),
  );
  assert.equal(res.status, 201);
  const [sub] = await rt.sql`select user_id from push_subscriptions`;
  assert.equal(sub.user_id, "ana");
  res = await app.request(
    "/api/v1/alerts/silences",
    json({ store_id: "S01", minutes: 30, reason: "refit" }),
  );
  assert.equal(res.status, 201);
  const { silence } = await res.json();
  assert.equal(
    new Date(silence.ends_at).getTime() - new Date(silence.starts_at).getTime(),
    1800_000,
  );
  assert.equal((await (await app.request("/api/v1/alerts/silences")).json()).silences.length, 1);
  res = await app.request(`/api/v1/alerts/silences/${silence.id}`, { method: "DELETE" });
  assert.equal(res.status, 200);
  res = await app.request("/api/v1/alerts/silences", json({ minutes: 30 }));
  assert.equal(res.status, 400);
});
