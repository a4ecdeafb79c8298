import assert from "node:assert/strict";
import { fixedClock } from "../lib/clock.ts";
import { testRuntime } from "../lib/testing/services.ts";
import { evaluateAlerts } from "./engine.ts";
import { inQuietHours } from "./quiet_hours.ts";
import { saveRule } from "./rule_store.ts";
import { parseRule } from "./rules.ts";
import { seedStores } from "./test_receivers.ts";
import { smtpSink, unQuotedPrintable } from "./test_smtp.ts";

// 12:00 UTC = 13:00 in Paris, 21:00 in Tokyo.
const T0 = Date.parse("2026-03-02T12:00:00Z");

Deno.test("alerts quiet hours - windows within a day and across midnight", () => {
  const q = (start: string, end: string, timezone = "UTC") => ({
    timezone,
    quiet_start: start,
    quiet_end: end,
    quiet_bypass_critical: true,
  });
  assert.equal(inQuietHours(q("11:00", "13:00"), T0), true);
  assert.equal(inQuietHours(q("13:00", "14:00"), T0), false);
  assert.equal(inQuietHours(q("20:00", "07:00", "Asia/Tokyo"), T0), true);
  assert.equal(inQuietHours(q("22:00", "07:00", "Asia/Tokyo"), T0), false);
  assert.equal(inQuietHours(undefined, T0), false);
});

async function world(label: string, severity: "high" | "critical") {
  const smtp = await smtpSink();
  const rt = await testRuntime(label, {
    clock: fixedClock(T0),
    env: { TILLSTREAM_SMTP_URL: smtp.url, TILLSTREAM_PUBLIC_URL: "https://till.example.com" },
  });
  await seedStores(rt.sql, 2);
  await rt.sql`insert into users (id, name, email, role, store_ids) values
    ('boss', 'Boss', 'boss@example.com', 'manager', '{}'),
    ('sm1', 'Store 1 manager', 'sm1@example.com', 'store_manager', '{S01}'),
    ('owl', 'Night owl', 'owl@example.com', 'manager', '{}'),
    ('analyst', 'Analyst', 'an@example.com', 'analyst', '{}')`;
  await rt.sql`insert into user_notification_settings (user_id, timezone, quiet_start, quiet_end)
               values ('owl', 'Asia/Tokyo', '20:00', '07:00')`;
  await rt.sql`insert into alert_subscriptions (user_id, rule_id, store_id, min_severity, channels)
    values ('boss', null, null, 'low', '{email}'),
           ('sm1', null, null, 'low', '{email}'),
           ('owl', 'sales-low', null, 'low', '{email}'),
           ('analyst', null, null, 'critical', '{email}')`;
  await saveRule(rt.sql, {
    ...parseRule({
      id: "sales-low",
      name: "Sales low",
      type: "threshold",
      severity,
      params: { metric: "sales", op: "below", value: 1000 },
    }),
    provisioned: false,
  });
  return { rt, smtp };
}

Deno.test("alerts recipients - store managers get their stores only; quiet hours hold mail back", async () => {
  const { rt, smtp } = await world("disp_rcpt", "high");
  await using _rt = rt;
  await using _smtp = smtp;
  const r = await evaluateAlerts(rt, T0);
  assert.equal(r.notifications, 1);
  const byTo = Object.fromEntries(smtp.mails.map((m) => [m.to[0], unQuotedPrintable(m.raw)]));
  assert.deepEqual(Object.keys(byTo).sort(), ["boss@example.com", "sm1@example.com"]);
  assert.match(byTo["boss@example.com"], /Store S01: sales in 30 min 0\.00 \(below 10\.00\)/);
  assert.match(byTo["boss@example.com"], /Store S02: sales in 30 min 0\.00/);
  assert.match(byTo["sm1@example.com"], /Store S01: sales in 30 min 0\.00 \(below 10\.00\)/);
  assert.doesNotMatch(byTo["sm1@example.com"], /Store S02/, "never another store's alert");
  const owl = await rt.sql`select status, reason from alert_deliveries where user_id = 'owl'`;
  assert.deepEqual(owl.map((d) => [d.status, d.reason]), [[
    "suppressed",
    "quiet hours 20:00-07:00 Asia/Tokyo",
  ]]);
  const analyst = await rt.sql`select * from alert_deliveries where user_id = 'analyst'`;
  assert.equal(analyst.length, 0, "below the analyst's minimum severity");
});

Deno.test("alerts recipients - critical alerts get through quiet hours", async () => {
  const { rt, smtp } = await world("disp_crit", "critical");
  await using _rt = rt;
  await using _smtp = smtp;
  await evaluateAlerts(rt, T0);
  const to = smtp.mails.map((m) => m.to[0]).sort();
  assert.deepEqual(to, [
    "an@example.com",
    "boss@example.com",
    "owl@example.com",
    "sm1@example.com",
  ]);
});
