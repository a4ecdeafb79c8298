import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { fixedClock } from "../lib/clock.ts";
import { createApp } from "../lib/web/app.ts";
import { stopBundler } from "../lib/web/bundle.ts";
import { insertSyntheticHistory } from "../models/testing/synthetic.ts";
import { insertSyntheticCustomers } from "../models/testing/synthetic_customers.ts";
import { runJobOnce } from "../scheduler/scheduler.ts";
import { JOBS } from "../scheduler/jobs.ts";
import { runChurn, trainChurn } from "../models/churn.ts";
import { promote } from "../models/registry.ts";
import { dateTime, describeDetails } from "../lib/dashboard/format.ts";
import { CHURN_LIST_ORDER, churnRiskList, maskEmail, maskPhone } from "../models/pages.ts";

const NOW = Date.parse("2026-03-16T10:20:00Z");
const HOUR = 3_600_000;

Deno.test("models pages - forecasts, customers (masked) and models render from the outputs", async () => {
  await using rt = await testRuntime("models_pages", { clock: fixedClock(NOW) });
  const start = Math.floor(NOW / HOUR) * HOUR - 21 * 24 * HOUR;
  await insertSyntheticHistory(rt.sql, { stores: 2, categories: 2, days: 21, start });
  await insertSyntheticCustomers(rt.sql, { customers: 300, days: 200, end: NOW });
  await rt.sql`insert into customers (customer_id, email, phone)
               values ('cust1', 'carla.jones@example.com', '+1 555 010 4477')`;
  const ctl = new AbortController();
  const bootstrap = JOBS.find((j) => j.name === "bootstrap")!;
  assert.equal(await runJobOnce(rt, bootstrap, NOW, { signal: ctl.signal }), "ok");
  const churn = await trainChurn(rt.sql, { now: NOW, horizonDays: 60 });
  await promote(rt.sql, "churn", churn.version, { actor: "test", force: true });
  await runChurn(rt.sql, NOW);

  const app = await createApp(rt);
  await stopBundler();

  const f = await app.request("/forecasts?store=S001&category=C1");
  assert.equal(f.status, 200);
  const fh = await f.text();
  assert.match(fh, /Next 14 days/);
  assert.match(fh, /model forecast@1/);
  assert.match(fh, /Overall MASE [\d.]+ vs seasonal naive [\d.]+/);
  assert.doesNotMatch(fh, /No forecast yet/);

  const c = await app.request("/customers");
  assert.equal(c.status, 200);
  const ch = await c.text();
  assert.match(ch, /data-customer="cust/);
  // The segment sizes are those of the scores the last run wrote.
  const segments = await rt.sql`select segment, count(*)::int as n from churn_scores
    group by segment order by n desc, segment`;
  assert.ok(segments.length > 1);
  assert.deepEqual(
    [...ch.matchAll(/data-segment="([a-z_]+)"><b>([\d,]+)<\/b>/g)].map((m) => [
      m[1],
      Number(m[2].replaceAll(",", "")),
    ]),
    segments.map((r) => [r.segment, r.n]),
  );
  assert.doesNotMatch(ch, /carla\.jones@example\.com|555 010 4477/);
  // The chain in a zone a half hour off UTC, to tell its times from UTC's.
  await rt.sql`update stores set timezone = 'Asia/Kolkata'`;
  const m = await app.request("/models");
  assert.equal(m.status, 200);
  const mh = await m.text();
  assert.match(mh, /<b>active<\/b>/);
  assert.match(mh, /bootstrap/);
  assert.match(mh, /churn@\d+<\/td><td>promote/);
  // No anomaly version: the page says the checks run on default thresholds, not that one is missing.
  assert.match(mh, /anomaly checks run every minute with the defaults \(forecast band \|z\| ≥ 6/);
  assert.doesNotMatch(mh, /No anomaly version yet/);
  // Times in the chain's zone, details in words.
  assert.match(mh, /Times in Asia\/Kolkata\./);
  const [run] = await rt.sql<{ started_at: Date; details: Record<string, unknown> }[]>`
    select started_at, details from job_runs where job = 'bootstrap'`;
  const html = (s: string) =>
    s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
      .replaceAll('"', "&quot;");
  assert.ok(mh.includes(`>${dateTime(run.started_at.getTime(), "Asia/Kolkata")}</td>`));
  assert.ok(mh.includes(`>${html(describeDetails(run.details))}</td>`), "bootstrap's details");
  assert.doesNotMatch(mh, />\{(&quot;|")/, "no raw JSON");
  // On a phone a table wider than the screen scrolls in its wrapper, not the whole page (the
  // browser test checks the pages of the demo data, which has no models).
  for (const [path, page] of [["/forecasts", fh], ["/customers", ch], ["/models", mh]]) {
    const tables = page.split("<table").length - 1;
    assert.ok(tables > 0, path);
    assert.equal(page.split('<div class="table-wrap"><table').length - 1, tables, path);
  }
});

Deno.test("models pages - contact details are masked", () => {
  assert.equal(maskEmail("carla.jones@example.com"), "c***@example.com");
  assert.equal(maskPhone("+1 555 010 4477"), "***4477");
  assert.equal(maskEmail(null), "–");
});

Deno.test("models pages - churn risk list: highest risk first, the most valuable first among equal percents", async () => {
  await using rt = await testRuntime("churn_list");
  const rows: [string, number, number | null][] = [
    ["low", 0.2, 900_00],
    ["tie-small", 0.419, 12_00],
    ["tie-big", 0.4152, 340_00],
    ["top", 0.9, 5_00],
    ["tie-unknown", 0.4199, null],
  ];
  for (const [id, p, revenue] of rows) {
    await rt.sql`insert into churn_scores (customer_id, probability, segment, reasons, model,
        revenue_cents)
      values (${id}, ${p}, ${id === "low" ? "loyal" : "new"}, '{}', 'churn@1', ${revenue})`;
    if (revenue !== null) {
      await rt.sql`insert into customer_stats (customer_id, first_purchase, last_purchase, orders,
        revenue_cents) values (${id}, now(), now(), 1, ${revenue})`;
    }
  }
  const list = await churnRiskList(rt.sql);
  assert.deepEqual(list.map((r) => r.customer_id), [
    "top",
    "tie-big",
    "tie-small",
    "tie-unknown",
    "low",
  ]);
  assert.deepEqual(list.map((r) => r.orders), [1, 1, 1, null, 1], "with their live stats");
  const some = await churnRiskList(rt.sql, { segment: "new", limit: 2 });
  assert.deepEqual(some.map((r) => r.customer_id), ["top", "tie-big"]);
  // The list reads the first rows of the index in its order, not every score.
  await rt.sql`insert into churn_scores (customer_id, probability, segment, model, revenue_cents)
    select 'filler-' || i, random() * 0.4, 'new', 'churn@1', i from generate_series(1, 5000) i`;
  await rt.sql`analyze churn_scores`;
  for (const segment of [undefined, "new"]) {
    const [plan] = await rt.sql.unsafe(
      `explain (format json) select * from churn_scores c
       where ${segment ? "c.segment = 'new'" : "true"}
       order by ${CHURN_LIST_ORDER} limit 50`,
    );
    assert.match(JSON.stringify(plan), /"Index Scan".*ranked_idx/, `segment ${segment}`);
  }
});
