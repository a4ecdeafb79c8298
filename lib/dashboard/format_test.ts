import assert from "node:assert/strict";
import { dateIn, describeDetails, localMidnight, money, pct } from "./format.ts";

Deno.test("dashboard format - local midnight across zones and DST", () => {
  // 2026-03-29 is the EU spring-forward day: midnight is still +01:00.
  assert.equal(
    new Date(localMidnight(Date.parse("2026-03-29T15:00:00Z"), "Europe/Paris")).toISOString(),
    "2026-03-28T23:00:00.000Z",
  );
  assert.equal(
    new Date(localMidnight(Date.parse("2026-07-01T03:00:00Z"), "America/New_York")).toISOString(),
    "2026-06-30T04:00:00.000Z",
  );
  assert.equal(
    new Date(localMidnight(Date.parse("2026-07-01T20:00:00Z"), "Asia/Kolkata")).toISOString(),
    "2026-07-01T18:30:00.000Z",
  );
  assert.equal(localMidnight(Date.parse("2026-07-01T00:00:00Z"), "UTC"), Date.parse("2026-07-01"));
  assert.equal(dateIn(Date.parse("2026-07-01T20:00:00Z"), "Asia/Kolkata"), "2026-07-02");
});

Deno.test("dashboard format - money in minor units, signed percentages", () => {
  assert.equal(money(123456, "USD"), "$1,234.56");
  assert.equal(money(1500, "JPY"), "¥1,500");
  assert.equal(pct(12.4), "+12%");
  assert.equal(pct(null), "–");
});

Deno.test("dashboard format - job details in words", () => {
  assert.equal(
    describeDetails({ rules: 3, durationMs: 91, churnRun: { rows: 98687, promoted: true } }),
    "rules: 3 · duration ms: 91 · churn run (rows: 98,687, promoted: yes)",
  );
  assert.equal(
    describeDetails({ ids: [1, 2], mase: 0.72861, why: null }),
    "ids: 1, 2 · mase: 0.7286 · why: –",
  );
  assert.equal(describeDetails({ reason: "x".repeat(300) }, 20), `reason: ${"x".repeat(11)}…`);
  assert.equal(describeDetails({}), "");
});
