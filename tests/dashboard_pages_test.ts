import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { fixedClock } from "../lib/clock.ts";
import { createApp } from "../lib/web/app.ts";
import { stopBundler } from "../lib/web/bundle.ts";
import { seedDemo } from "../lib/dashboard/seed.ts";
import { EXPORTS } from "../lib/dashboard/exports.ts";
import { freshness, recentReceipts } from "../lib/dashboard/lists.ts";
import { registersToday } from "../lib/dashboard/store_detail.ts";
import { toMinorUnits } from "../lib/events.ts";
import { localMidnight } from "../lib/dashboard/format.ts";
import { publishSimulatorState } from "../ingest/simulator/state.ts";

// 15:00 in New York on a Wednesday: a trading day well under way.
const NOW = "2026-11-18T20:00:00Z";
const TODAY = "2026-11-18";

async function seeded(label: string) {
  const rt = await testRuntime(label, { clock: fixedClock(NOW) });
  await seedDemo(rt, { now: rt.clock.now(), pastDays: [7], models: true });
  const app = await createApp(rt);
  await stopBundler();
  return { rt, app };
}

const kpiValues = (html: string) =>
  Object.fromEntries(
    [...html.matchAll(/data-kpi="([a-z_]+)" data-value="(\d+)"/g)].map((m) => [m[1], Number(m[2])]),
  );

Deno.test("dashboard pages - overview KPIs equal the sales API's figures for the day", async () => {
  const { rt, app } = await seeded("dash_kpi");
  await using _rt = rt;
  const html = await (await app.request("/")).text();
  const kpi = kpiValues(html);
  assert.ok(kpi.sales > 0, "the seeded day has sales");
  const res = await app.request(`/api/v1/sales?interval=day&from=${TODAY}&to=${TODAY}`);
  assert.equal(res.status, 200);
  const [day] = await res.json();
  assert.equal(kpi.sales, toMinorUnits(day.sales));
  assert.equal(kpi.transactions, day.transactions);
  assert.equal(kpi.units, day.units);
  assert.equal(kpi.avg_ticket, toMinorUnits(day.avg_ticket));
  assert.equal(kpi.refunds, toMinorUnits(day.refund_amount));
  // The KPI CSV carries the same figures.
  const csv = await (await app.request("/api/v1/export/kpis.csv")).text();
  assert.match(csv, new RegExp(`^sales,${day.sales},`, "m"));
});

Deno.test("dashboard pages - every page renders without inline styles or inline scripts", async () => {
  const { rt, app } = await seeded("dash_pages");
  await using _rt = rt;
  for (const path of ["/", "/stores", "/stores/NYC-01", "/products?sku=SKU-1001", "/inventory"]) {
    const res = await app.request(path);
    const html = await res.text();
    assert.equal(res.status, 200, `${path}: ${html.slice(0, 300)}`);
    assert.doesNotMatch(html, /\sstyle="/, `${path} has an inline style attribute (CSP blocks it)`);
    assert.doesNotMatch(html, /<style/, `${path} has a <style> element`);
    for (const m of html.matchAll(/<script([^>]*)>/g)) {
      assert.match(m[1], /src=|type="application\/json"/, `${path} has an inline script`);
    }
  }
  // Pages without interaction ship no JavaScript.
  assert.doesNotMatch(await (await app.request("/stores")).text(), /<script/);
  assert.doesNotMatch(await (await app.request("/inventory")).text(), /<script/);
});

Deno.test("dashboard pages - the store page shows its blocks; an unknown store is a helpful 404", async () => {
  const { rt, app } = await seeded("dash_store");
  await using _rt = rt;
  const html = await (await app.request("/stores/NYC-01")).text();
  for (const id of ["categories", "registers", "hourly-pattern", "store-risks", "chart-hours"]) {
    assert.match(html, new RegExp(`id="${id}"`), `store page lacks #${id}`);
  }
  const res = await app.request("/stores/NOPE-9");
  assert.equal(res.status, 404);
  assert.match(await res.text(), /no store &quot;NOPE-9&quot;|no store "NOPE-9"/);
});

Deno.test("dashboard pages - registers today equal the store's receipts of its local day, on the page and in the CSV", async () => {
  const { rt, app } = await seeded("dash_registers");
  await using _rt = rt;
  const want = await rt.sql`select register_id, count(*) filter (where type = 'sale')::int n,
      coalesce(sum(total_cents) filter (where type = 'sale'), 0)::int8 sales,
      count(*) filter (where type = 'refund')::int refunds,
      coalesce(sum(total_cents) filter (where type = 'refund'), 0)::int8 refund_cents,
      max(ts) last_at
    from receipts where store_id = 'NYC-01' and local_date = ${TODAY}
    group by register_id order by register_id`;
  assert.ok(want.length >= 2, "the seeded store rang up sales on several registers today");
  const rows = await registersToday(rt.sql, "NYC-01", "America/New_York", rt.clock.now());
  assert.deepEqual(
    rows.map((r) => [r.register_id, r.transactions, r.sales_cents, r.refunds, r.refund_cents]),
    want.map((r) => [r.register_id, r.n, Number(r.sales), r.refunds, Number(r.refund_cents)]),
  );
  assert.deepEqual(rows.map((r) => r.last_at), want.map((r) => r.last_at.getTime()));
  const html = await (await app.request("/stores/NYC-01")).text();
  const table = html.slice(html.indexOf('id="registers"'));
  for (const r of want) assert.match(table, new RegExp(`<td>${r.register_id}</td>`));
  const csv = await (await app.request("/api/v1/export/registers.csv?store_id=NYC-01")).text();
  const first = want[0];
  assert.match(
    csv,
    new RegExp(`^${first.register_id},${first.n},${(Number(first.sales) / 100).toFixed(2)},`, "m"),
  );
  // Another store's day is its own.
  const atl = await registersToday(rt.sql, "ATL-01", "America/New_York", rt.clock.now());
  const [{ n }] = await rt.sql`select count(*) filter (where type = 'sale')::int n from receipts
    where store_id = 'ATL-01' and local_date = ${TODAY}`;
  assert.equal(atl.reduce((a, r) => a + r.transactions, 0), n);
});

Deno.test("dashboard ticker - the newest receipts of the chain and of a store, also one closed since yesterday", async () => {
  await using rt = await testRuntime("dash_ticker", { clock: fixedClock(NOW) });
  await seedDemo(rt, { now: rt.clock.now(), pastDays: [1, 7] });
  const now = rt.clock.now();
  const scope = (store_id: string) => ({ store_id }) as Parameters<typeof recentReceipts>[1];
  const newest = async (store: string | null, limit: number) =>
    (await rt.sql`select transaction_id from receipts
      where (${store}::text is null or store_id = ${store})
        and ts > ${new Date(now - 2 * 86_400_000)} and ts <= ${new Date(now)}
      order by ts desc limit ${limit}`).map((r) => r.transaction_id);
  const ticker = async (store: string, limit?: number) =>
    (await recentReceipts(rt.sql, scope(store), now, limit)).map((r) => r.transaction_id);
  assert.deepEqual(await ticker("*"), await newest(null, 12));
  assert.deepEqual(await ticker("NYC-01"), await newest("NYC-01", 12));
  assert.deepEqual(await ticker("NYC-01", 100), await newest("NYC-01", 100));
  // ATL-01 has not sold today: its newest receipts are yesterday's.
  const midnight = localMidnight(now, "America/New_York");
  await rt.sql`delete from receipts where store_id = 'ATL-01' and ts >= ${new Date(midnight)}`;
  await rt.sql`delete from rollup_minute where store_id = 'ATL-01' and bucket >= ${new Date(
    midnight,
  )}`;
  const closed = await newest("ATL-01", 12);
  assert.equal(closed.length, 12);
  assert.deepEqual(await ticker("ATL-01"), closed);
});

Deno.test("dashboard freshness - the newest receipt of the chain and of each store", async () => {
  const { rt } = await seeded("dash_fresh");
  await using _rt = rt;
  const newest = async (store: string | null) => {
    const [r] = await rt.sql<{ ts: Date | null }[]>`select max(ts) as ts from receipts
      where ${store}::text is null or store_id = ${store}`;
    return r.ts?.getTime() ?? null;
  };
  const now = rt.clock.now();
  const chain = await freshness(rt, now);
  assert.ok(chain.newest_event !== null, "the seeded chain has receipts");
  assert.equal(chain.newest_event, await newest(null));
  for (const store of ["NYC-01", "ATL-01"]) {
    assert.equal((await freshness(rt, now, store)).newest_event, await newest(store), store);
  }
  // A store without sales has no newest event.
  await rt.sql`insert into stores (id, name, timezone) values ('NEW-01', 'New', 'UTC')`;
  assert.equal((await freshness(rt, now, "NEW-01")).newest_event, null);
  // With the raw receipts of its newest minute gone, a store's newest minute stands for them.
  const ts = (await newest("NYC-01"))!;
  const minute = ts - ts % 60_000;
  await rt.sql`delete from receipts where store_id = 'NYC-01' and ts >= ${new Date(minute)}`;
  assert.equal((await freshness(rt, now, "NYC-01")).newest_event, minute);
});

Deno.test("dashboard pages - /stores sorts by the column asked, links each store and maps it", async () => {
  const { rt, app } = await seeded("dash_sort");
  await using _rt = rt;
  const order = async (q: string) =>
    [...(await (await app.request(`/stores${q}`)).text()).matchAll(/<tr data-store="([^"]+)"/g)]
      .map((m) => m[1]);
  const byName = await order("?sort=name&dir=asc");
  assert.equal(byName.length, 10);
  assert.equal(byName[0], "ATL-01", "Atlanta first by name");
  const bySales = await order("?sort=sales");
  const salesCsv = (await (await app.request("/api/v1/export/stores.csv")).text()).trim().split(
    "\r\n",
  )
    .slice(1).map((l) => l.split(","));
  const sales = new Map(salesCsv.map((c) => [c[0], Number(c[3])]));
  for (let i = 1; i < bySales.length; i++) {
    assert.ok(sales.get(bySales[i - 1])! >= sales.get(bySales[i])!, "sales descending");
  }
  const html = await (await app.request("/stores")).text();
  assert.equal(
    [...html.matchAll(/<a href="\/stores\/[^"]+" data-store=/g)].length,
    10,
    "10 map links",
  );
});

Deno.test("dashboard exports - every table and chart exports as CSV with a header line", async () => {
  const { rt, app } = await seeded("dash_csv");
  await using _rt = rt;
  for (const name of Object.keys(EXPORTS)) {
    const q = new URLSearchParams({ store_id: "NYC-01", sku: "SKU-1001" });
    if (name === "sales") q.set("interval", "hour");
    const res = await app.request(`/api/v1/export/${name}.csv?${q}`);
    const body = await res.text();
    assert.equal(res.status, 200, `${name}: ${body}`);
    assert.match(res.headers.get("content-type")!, /text\/csv/);
    assert.match(res.headers.get("content-disposition")!, /attachment; filename="tillstream-/);
    assert.match(body, /^[a-z_]+(,[a-z_0-9]+)*\r\n/, `${name} starts with a header`);
  }
  const missing = await app.request("/api/v1/export/nothing.csv");
  assert.equal(missing.status, 404);
  assert.match((await missing.json()).error, /available: sales, kpis/);
});

Deno.test("dashboard pages - an empty system says what to do instead of showing zeros alone", async () => {
  await using rt = await testRuntime("dash_empty", { clock: fixedClock(NOW) });
  const app = await createApp(rt);
  await stopBundler();
  const html = await (await app.request("/")).text();
  assert.match(html, /No sales data yet/);
  assert.match(html, /deno task simulate/);
  assert.match(html, /PostgreSQL connected/);
  assert.match(await (await app.request("/stores")).text(), /No stores yet/);
  assert.match(await (await app.request("/inventory")).text(), /No stock levels yet/);
  assert.match(await (await app.request("/products")).text(), /No sales today yet/);
});

Deno.test("dashboard pages - while the simulator backfills, the overview says so instead of 'no data'", async () => {
  await using rt = await testRuntime("dash_backfill", { clock: fixedClock(NOW) });
  const app = await createApp(rt);
  await stopBundler();
  assert.match(await (await app.request("/")).text(), /No simulator is running/);
  await publishSimulatorState(rt, { phase: "backfill", done: 168, total: 672 });
  const html = await (await app.request("/")).text();
  assert.match(html, /Loading demo history: 25%/);
  assert.match(html, /168 of 672 hours sent/);
  assert.doesNotMatch(html, /No simulator is running/);
  await publishSimulatorState(rt, { phase: "live", rate: 0.3 });
  assert.match(await (await app.request("/")).text(), /The simulator is running live/);
});
