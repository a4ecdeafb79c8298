/**
 * The dashboard in headless Chromium, against the app served in-process (Deno.serve on port 0)
 * over a fresh database seeded with the demo dataset, with the stream workers running
 * in-process so an event posted to POST /api/v1/events travels the real path:
 * HTTP → Redis stream → worker → PostgreSQL + live:updates → SSE hub → browser.
 */
import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { launchBrowser } from "../lib/testing/browser.ts";
import { createApp } from "../lib/web/app.ts";
import { stopBundler } from "../lib/web/bundle.ts";
import { liveHub } from "../lib/web/live_hub.ts";
import { seedDemo } from "../lib/dashboard/seed.ts";
import { createKey } from "../lib/connector_keys.ts";
import { runWorkers } from "../pipeline/worker.ts";
import { toMinorUnits } from "../lib/events.ts";
import { dateIn } from "../lib/dashboard/format.ts";

async function system(label: string, opts: { workers?: boolean } = {}) {
  // Chromium first: when it is missing, no database has been created yet to be left behind.
  const browser = await launchBrowser();
  const rt = await testRuntime(label).catch(async (e) => {
    await browser.close();
    throw e;
  });
  const now = Date.now();
  await seedDemo(rt, { now, pastDays: [7], models: true });
  const app = await createApp(rt);
  await stopBundler();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  const stop = new AbortController();
  const workers = opts.workers
    ? runWorkers(rt, { signal: stop.signal, consumers: 1, maintenanceEveryMs: 0, blockMs: 20 })
    : Promise.resolve();
  return {
    rt,
    base: `http://127.0.0.1:${server.addr.port}`,
    browser,
    today: dateIn(now, "America/New_York"),
    async [Symbol.asyncDispose]() {
      await browser.close();
      stop.abort();
      await workers;
      await liveHub(rt).close();
      await server.shutdown();
      await rt[Symbol.asyncDispose]();
    },
  };
}

Deno.test("dashboard browser - overview, live updates, drill-down, map and phone layout", async (t) => {
  await using sys = await system("dash_browser", { workers: true });

  await t.step(
    "dashboard browser - overview KPIs equal the API's figures after hydration",
    async () => {
      const page = await sys.browser.newPage();
      await page.goto(sys.base + "/");
      await page.waitForSelector("#chart-minutes .u-over");
      const shown = await page.$$eval("[data-kpi]", (els) =>
        Object.fromEntries(
          els.map((e) => [e.getAttribute("data-kpi"), Number(e.getAttribute("data-value"))]),
        ));
      const api = await page.evaluate(async (day) => {
        const r = await fetch(`/api/v1/sales?interval=day&from=${day}&to=${day}`);
        return (await r.json())[0];
      }, sys.today);
      assert.equal(shown.sales, toMinorUnits(api.sales));
      assert.equal(shown.transactions, api.transactions);
      assert.equal(shown.units, api.units);
      assert.equal(shown.refunds, toMinorUnits(api.refund_amount));
      // What the user reads is the formatted figure of the same value.
      const text = await page.textContent('[data-kpi="sales"] .kpi-value');
      assert.equal(
        text,
        `$${Number(api.sales).toLocaleString("en-US", { minimumFractionDigits: 2 })}`,
      );
    },
  );

  await t.step(
    "dashboard browser - an event posted to /api/v1/events reaches the ticker and the KPI within 2 s",
    async () => {
      const { key } = await createKey(sys.rt.sql, { name: "browser-test" });
      const page = await sys.browser.newPage();
      const sse: string[] = [];
      page.on("request", (r) => r.url().includes("/api/v1/live") && sse.push(r.url()));
      await page.goto(sys.base + "/");
      await page.waitForSelector("#freshness .dot.ok", { timeout: 5000 });
      const before = Number(await page.getAttribute('[data-kpi="sales"]', "data-value"));
      const tx = `LIVE-${Date.now()}`;
      const sale = {
        type: "sale",
        transaction_id: tx,
        store_id: "NYC-01",
        register_id: "R9",
        timestamp: new Date().toISOString(),
        currency: "USD",
        payment: "card",
        lines: [{ sku: "SKU-1001", category: "grocery", quantity: 2, unit_price: 12.5 }],
        total: 25,
      };
      const sent = performance.now();
      const res = await fetch(`${sys.base}/api/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify([sale]),
      });
      assert.ok(res.status < 300, `ingest answered ${res.status}: ${await res.text()}`);
      await page.waitForSelector(`#ticker li[data-tx="${tx}"]`, { timeout: 2000 });
      await page.waitForFunction(
        (want) =>
          Number(document.querySelector('[data-kpi="sales"]')?.getAttribute("data-value")) === want,
        before + 2500,
        { timeout: 2000 },
      );
      const took = performance.now() - sent;
      assert.ok(took < 2000, `took ${took} ms`);
      assert.match(
        await page.textContent(`#ticker li[data-tx="${tx}"]`) ?? "",
        /Manhattan.*\$25\.00/,
      );
      assert.equal(sse.length, 1, "one SSE connection for the whole page");
    },
  );

  await t.step(
    "dashboard browser - dragging across a chart re-queries a finer interval",
    async () => {
      const page = await sys.browser.newPage({ viewport: { width: 1280, height: 900 } });
      const asked: string[] = [];
      page.on("request", (r) => r.url().includes("/api/v1/sales") && asked.push(r.url()));
      // A slow stylesheet, as under load: the chart must not be drawn before it and then move.
      await page.route("**/uplot.css*", async (route) => {
        await new Promise((done) => setTimeout(done, 1000));
        await route.continue();
      });
      await page.goto(sys.base + "/");
      const over = await page.waitForSelector("#chart-hours .u-over");
      assert.equal(await page.getAttribute("#chart-hours", "data-interval"), "hour");
      const box = (await over.boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.35, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.45, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
      await page.waitForSelector('#chart-hours[data-interval="minute"]', { timeout: 5000 });
      assert.ok(asked.some((u) => u.includes("interval=minute")), `asked: ${asked.join(" ")}`);
      // Back returns to the hourly view.
      await page.click("#chart-hours button.back");
      await page.waitForSelector('#chart-hours[data-interval="hour"]');
    },
  );

  await t.step(
    "dashboard browser - an alert event on live:alerts shows in recent alerts without a reload",
    async () => {
      const page = await sys.browser.newPage();
      await page.goto(sys.base + "/");
      await page.waitForSelector("#freshness .dot.ok", { timeout: 5000 });
      const alert = {
        id: 987654,
        store_ids: ["NYC-01"],
        state: "firing",
        severity: "high",
        summary: "Refund burst at Manhattan register R2",
        started_at: new Date().toISOString(),
        fired_at: new Date().toISOString(),
      };
      await sys.rt.redis.xadd(
        sys.rt.keys.alertUpdates,
        "*",
        "data",
        JSON.stringify({ type: "alert", event: "firing", alert }),
      );
      const li = await page.waitForSelector('#recent-alerts li[data-alert="987654"]', {
        timeout: 2000,
      });
      assert.match(await li.textContent() ?? "", /Refund burst at Manhattan/);
    },
  );

  await t.step(
    "dashboard browser - the date-range picker re-queries days for a long range",
    async () => {
      const page = await sys.browser.newPage({ viewport: { width: 1280, height: 900 } });
      const asked: string[] = [];
      page.on("request", (r) => r.url().includes("/api/v1/sales") && asked.push(r.url()));
      await page.goto(sys.base + "/");
      await page.waitForSelector("#chart-hours .u-over");
      const from = new Date(Date.parse(`${sys.today}T12:00:00Z`) - 20 * 86_400_000)
        .toISOString().slice(0, 10);
      await page.fill("#chart-hours form.range input >> nth=0", from);
      await page.click("#chart-hours form.range button[type=submit]");
      await page.waitForSelector('#chart-hours[data-interval="day"]', { timeout: 5000 });
      assert.ok(
        asked.some((u) => u.includes("interval=day") && u.includes(`from=${from}`)),
        asked.join(" "),
      );
      assert.equal(await page.locator("#chart-hours .error").count(), 0, "no error shown");
    },
  );

  await t.step("dashboard browser - the heat map leads to the store page", async () => {
    const page = await sys.browser.newPage();
    await page.goto(sys.base + "/stores");
    await page.click('#heatmap a[data-store="MIA-01"] circle');
    await page.waitForURL(/\/stores\/MIA-01$/);
    assert.equal(await page.textContent("h1"), "Miami");
  });

  await t.step(
    "dashboard browser - every page holds at 375 px without horizontal overflow",
    async () => {
      const page = await sys.browser.newPage({ viewport: { width: 375, height: 812 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      // Registry events with a long address and reason: on a phone each becomes a card as wide
      // as its panel (stack-sm), not a row to scroll sideways.
      await sys.rt.sql`insert into model_events (name, version, action, actor, reason) values
        ('churn', 1, 'promote_forced', 'data.scientist@tillstream.example',
         'AUC 0.83 below the baseline, promoted for the pilot stores on purpose'),
        ('forecast', 3, 'promote', 'scheduler',
         'MASE 0.71 beats the seasonal naive baseline 0.99 on the last 14 days')`;
      // Every page of the navigation, and the alert pages behind it. A table's width depends on
      // its data (the demo's is short), so besides the page's width each table must sit in a box
      // that scrolls sideways: one wider than the screen then scrolls inside its panel instead of
      // widening the whole page. (uPlot's legends are tables that wrap their entries.)
      const wide: string[] = [];
      for (
        const path of [
          "/",
          "/stores",
          "/stores/NYC-01",
          "/products?sku=SKU-1001",
          "/inventory",
          "/forecasts",
          "/customers",
          "/alerts",
          "/alerts/rules",
          "/alerts/settings",
          "/models",
          "/status",
        ]
      ) {
        const res = await page.goto(sys.base + path, { waitUntil: "networkidle" });
        assert.equal(res?.status(), 200, `${path} answered ${res?.status()}`);
        const { width, unwrapped, stacked } = await page.evaluate(() => ({
          width: document.documentElement.scrollWidth,
          unwrapped: Array.from(document.querySelectorAll("table:not(.u-legend)"))
            .filter((t) =>
              !["auto", "scroll"].includes(getComputedStyle(t.parentElement!).overflowX)
            )
            .map((t) => t.id || t.className),
          stacked: Array.from(document.querySelectorAll("table.stack-sm"))
            .filter((t) => t.querySelector("tbody tr"))
            .filter((t) => t.parentElement!.scrollWidth > t.parentElement!.clientWidth + 1)
            .map((t) => t.id || t.closest("section, [id]")?.id || t.className),
        }));
        if (width > 375) wide.push(`${path} is ${width} px wide`);
        for (const t of unwrapped) wide.push(`${path}: table "${t}" is not in a scrolling box`);
        for (const t of stacked) wide.push(`${path}: the cards of "${t}" scroll sideways`);
      }
      assert.deepEqual(wide, [], "pages at a 375 px viewport");
      await page.goto(sys.base + "/models");
      assert.equal(await page.locator("#model-events table.stack-sm tbody tr").count(), 2);
      assert.deepEqual(errors, [], "no script errors");
    },
  );
});
