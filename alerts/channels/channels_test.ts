import assert from "node:assert/strict";
import { fixedClock } from "../../lib/clock.ts";
import { testRuntime } from "../../lib/testing/services.ts";
import { ackAlert, resolveAlert } from "../actions.ts";
import { evaluateAlerts } from "../engine.ts";
import { deliverDue } from "../notifier.ts";
import { saveChannel, saveRule } from "../rule_store.ts";
import { parseRule } from "../rules.ts";
import { httpSink, seedStores } from "../test_receivers.ts";
import { pushSubscriber, verifyVapid } from "../test_push.ts";
import { smtpSink, unQuotedPrintable } from "../test_smtp.ts";
import { vapidKeys } from "../vapid.ts";
import type { Channel } from "./schema.ts";

const T0 = Date.parse("2026-03-02T12:00:00Z");
const fast = { max_attempts: 3, base_ms: 1000, timeout_ms: 2000 };

async function world(label: string, channels: Channel[], env: Record<string, string> = {}) {
  const clock = fixedClock(T0);
  const rt = await testRuntime(label, {
    clock,
    env: { TILLSTREAM_PUBLIC_URL: "https://till.example.com", ...env },
  });
  for (const c of channels) await saveChannel(rt.sql, c);
  await saveRule(rt.sql, {
    ...parseRule({
      id: "sales-low",
      name: "Sales low",
      type: "threshold",
      severity: "high",
      params: { metric: "sales", op: "below", value: 1000 },
      channels: channels.map((c) => c.id),
    }),
    provisioned: false,
  });
  return { rt, clock };
}

Deno.test("alerts channels - Slack, Teams and webhook payloads reach a local server in shape", async () => {
  await using sink = httpSink();
  const { rt } = await world("ch_chat", [
    {
      id: "slack",
      name: "S",
      type: "slack",
      enabled: true,
      config: { url: `${sink.url}/slack`, retry: fast },
    },
    {
      id: "teams",
      name: "T",
      type: "teams",
      enabled: true,
      config: { url: `${sink.url}/teams`, retry: fast },
    },
    {
      id: "hook",
      name: "H",
      type: "webhook",
      enabled: true,
      config: { url: `${sink.url}/hook`, headers: { "x-token": "s3cret" }, retry: fast },
    },
  ]);
  await using _rt = rt;
  await seedStores(rt.sql, 2);
  const r = await evaluateAlerts(rt, T0);
  assert.deepEqual(r.delivery, { delivered: 3, retrying: 0, failed: 0 });
  const by = Object.fromEntries(sink.received.map((x) => [x.path, x]));
  // deno-lint-ignore no-explicit-any
  const slack = by["/slack"].json() as any;
  assert.match(slack.text, /FIRING\] Sales low — 2 stores/);
  assert.equal(slack.blocks[0].type, "header");
  assert.equal(slack.blocks.filter((b: { type: string }) => b.type === "section").length, 2);
  assert.match(
    slack.blocks.at(-1).elements[0].url,
    /^https:\/\/till\.example\.com\/alerts\?rule=sales-low/,
  );
  // deno-lint-ignore no-explicit-any
  const teams = by["/teams"].json() as any;
  assert.equal(teams.type, "message");
  assert.equal(teams.attachments[0].contentType, "application/vnd.microsoft.card.adaptive");
  assert.equal(teams.attachments[0].content.type, "AdaptiveCard");
  assert.equal(teams.attachments[0].content.body[2].facts.length, 2);
  assert.equal(teams.attachments[0].content.actions[0].type, "Action.OpenUrl");
  // deno-lint-ignore no-explicit-any
  const hook = by["/hook"].json() as any;
  assert.equal(by["/hook"].headers.get("x-token"), "s3cret");
  assert.equal(hook.version, 1);
  assert.equal(hook.kind, "firing");
  assert.equal(hook.rule.id, "sales-low");
  assert.equal(hook.alerts.length, 2);
  assert.match(hook.alerts[0].url, /^https:\/\/till\.example\.com\/alerts\/\d+$/);
});

Deno.test("alerts channels - PagerDuty gets trigger, acknowledge, resolve with one dedup key", async () => {
  await using sink = httpSink();
  sink.respond = () => Response.json({ status: "success" }, { status: 202 });
  const { rt } = await world("ch_pd", [{
    id: "pd",
    name: "PD",
    type: "pagerduty",
    enabled: true,
    config: { routing_key: "R0UTING", url: `${sink.url}/v2/enqueue`, retry: fast },
  }]);
  await using _rt = rt;
  await seedStores(rt.sql, 1);
  await evaluateAlerts(rt, T0);
  const [a] = await rt.sql`select id from alerts`;
  await ackAlert(rt, a.id, "ana", T0 + 1000);
  await deliverDue(rt, T0 + 1000);
  await resolveAlert(rt, a.id, "ana", "fixed the till", T0 + 2000);
  await deliverDue(rt, T0 + 2000);
  // deno-lint-ignore no-explicit-any
  const events = sink.received.map((r) => r.json() as any);
  assert.deepEqual(events.map((e) => e.event_action), ["trigger", "acknowledge", "resolve"]);
  assert.deepEqual(new Set(events.map((e) => e.dedup_key)), new Set(["tillstream:sales-low:S01"]));
  assert.ok(events.every((e) => e.routing_key === "R0UTING"));
  assert.equal(events[0].payload.severity, "error");
  assert.equal(events[0].payload.source, "S01");
  assert.match(events[0].payload.summary, /^Sales low: Store S01/);
  assert.match(events[0].links[0].href, /\/alerts\/\d+$/);
});

Deno.test("alerts channels - e-mail reaches an SMTP sink with HTML, text and a link", async () => {
  await using smtp = await smtpSink();
  const { rt } = await world("ch_mail", [{
    id: "ops-mail",
    name: "Ops mail",
    type: "email",
    enabled: true,
    config: { to: ["ops@example.com", "lead@example.com"], retry: fast },
  }], { TILLSTREAM_SMTP_URL: smtp.url, TILLSTREAM_MAIL_FROM: "Tillstream <alerts@example.com>" });
  await using _rt = rt;
  await seedStores(rt.sql, 1);
  const r = await evaluateAlerts(rt, T0);
  assert.equal(r.delivery?.delivered, 1);
  assert.equal(smtp.mails.length, 1);
  const m = smtp.mails[0];
  assert.equal(m.from, "alerts@example.com");
  assert.deepEqual(m.to, ["ops@example.com", "lead@example.com"]);
  const raw = unQuotedPrintable(m.raw);
  assert.match(raw, /Subject: =\?UTF-8\?Q\?\[FIRING\]_Sales_low/, "subject, MIME-encoded");
  assert.match(raw, /Content-Type: text\/plain/);
  assert.match(raw, /Content-Type: text\/html/);
  const [a] = await rt.sql`select id from alerts`;
  assert.ok(raw.includes(`https://till.example.com/alerts/${a.id}`), "links to the alert");
  assert.ok(raw.includes(`<a href="https://till.example.com/alerts/${a.id}">`));
});

Deno.test("alerts channels - Web Push: a test subscription decrypts the payload and VAPID verifies", async () => {
  await using sink = httpSink();
  sink.respond = () => new Response(null, { status: 201 });
  const { rt } = await world("ch_push", []);
  await using _rt = rt;
  await seedStores(rt.sql, 1);
  const sub = await pushSubscriber();
  await rt.sql`insert into push_subscriptions (user_id, endpoint, p256dh, auth)
               values ('manager', ${`${sink.url}/push/dev1`}, ${sub.keys.p256dh}, ${sub.keys.auth})`;
  await rt
    .sql`insert into alert_subscriptions (user_id, channels) values ('manager', '{web_push}')`;
  const r = await evaluateAlerts(rt, T0);
  assert.equal(r.delivery?.delivered, 1);
  const req = sink.received[0];
  assert.equal(req.path, "/push/dev1");
  assert.equal(req.headers.get("content-encoding"), "aes128gcm");
  assert.ok(Number(req.headers.get("ttl")) > 0);
  const payload = JSON.parse(await sub.decrypt(req.body));
  assert.match(payload.title, /^\[FIRING\] Sales low — Store S01/);
  assert.match(payload.url, /^https:\/\/till\.example\.com\/alerts\/\d+$/);
  assert.equal(payload.kind, "firing");
  const jwt = await verifyVapid(req.headers.get("authorization")!);
  assert.equal(jwt.aud, sink.url);
  assert.equal(jwt.k, (await vapidKeys(rt.sql)).publicKey);
  assert.match(jwt.sub, /^mailto:/);
});

Deno.test("alerts channels - Web Push: a gone subscription (410) is removed, not retried", async () => {
  await using sink = httpSink();
  sink.respond = () => new Response("gone", { status: 410 });
  const { rt } = await world("ch_push_gone", []);
  await using _rt = rt;
  await seedStores(rt.sql, 1);
  const sub = await pushSubscriber();
  await rt.sql`insert into push_subscriptions (user_id, endpoint, p256dh, auth)
               values ('manager', ${`${sink.url}/push/old`}, ${sub.keys.p256dh}, ${sub.keys.auth})`;
  await rt
    .sql`insert into alert_subscriptions (user_id, channels) values ('manager', '{web_push}')`;
  const r = await evaluateAlerts(rt, T0);
  assert.equal(r.delivery?.failed, 1);
  assert.equal((await rt.sql`select * from push_subscriptions`).length, 0);
});

Deno.test("alerts channels - an outage retries with backoff, records the failure, others deliver", async () => {
  await using sink = httpSink();
  sink.respond = (path) =>
    path === "/down"
      ? new Response("maintenance", { status: 503 })
      : path === "/hang"
      ? new Promise<Response>(() => {})
      : new Response("ok");
  const { rt } = await world("ch_outage", [
    {
      id: "down",
      name: "Down",
      type: "webhook",
      enabled: true,
      config: { url: `${sink.url}/down`, retry: fast },
    },
    {
      id: "hang",
      name: "Hangs",
      type: "webhook",
      enabled: true,
      config: { url: `${sink.url}/hang`, retry: { ...fast, max_attempts: 1, timeout_ms: 1500 } },
    },
    {
      id: "slack",
      name: "S",
      type: "slack",
      enabled: true,
      config: { url: `${sink.url}/ok`, retry: fast },
    },
  ]);
  await using _rt = rt;
  await seedStores(rt.sql, 1);
  const started = Date.now();
  const first = await evaluateAlerts(rt, T0);
  assert.deepEqual(first.delivery, { delivered: 1, retrying: 1, failed: 1 });
  const ok = sink.received.find((r) => r.path === "/ok")!;
  assert.ok(ok.at - started < 1500, `the working channel was not held up (${ok.at - started} ms)`);
  // Retry 1 after 1 s, retry 2 after 2 s more (base 1000 ms, doubling).
  assert.deepEqual(await deliverDue(rt, T0 + 500), { delivered: 0, retrying: 0, failed: 0 });
  assert.deepEqual(await deliverDue(rt, T0 + 1100), { delivered: 0, retrying: 1, failed: 0 });
  assert.deepEqual(await deliverDue(rt, T0 + 2500), { delivered: 0, retrying: 0, failed: 0 });
  assert.deepEqual(await deliverDue(rt, T0 + 3200), { delivered: 0, retrying: 0, failed: 1 });
  const rows = await rt.sql`
    select d.channel_id, d.status, d.attempts, d.reason,
      (select count(*)::int from alert_delivery_attempts t where t.delivery_id = d.id) as logged
    from alert_deliveries d order by d.channel_id`;
  assert.deepEqual(rows.map((r) => [r.channel_id, r.status, r.attempts, r.logged]), [
    ["down", "failed", 3, 3],
    ["hang", "failed", 1, 1],
    ["slack", "delivered", 1, 1],
  ]);
  assert.match(rows[0].reason, /503: maintenance/);
  assert.match(rows[1].reason, /no answer within 1500 ms/);
  assert.equal(sink.received.filter((r) => r.path === "/down").length, 3);
});
