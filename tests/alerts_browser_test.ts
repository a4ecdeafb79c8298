import assert from "node:assert/strict";
import { testRuntime, waitFor } from "../lib/testing/services.ts";
import { launchBrowser } from "../lib/testing/browser.ts";
import { createApp } from "../lib/web/app.ts";
import { stopBundler } from "../lib/web/bundle.ts";
import { liveHub } from "../lib/web/live_hub.ts";
import { evaluateAlerts } from "../alerts/engine.ts";
import { saveRule } from "../alerts/rule_store.ts";
import { parseRule } from "../alerts/rules.ts";
import { seedStores } from "../alerts/test_receivers.ts";
import { dateTime } from "../lib/dashboard/format.ts";

Deno.test("alerts (browser) - a new alert appears live on /alerts and Acknowledge works", async () => {
  await using rt = await testRuntime("alerts_browser");
  // The store's zone differs from the browser's (below): times must be shown in the store's.
  await seedStores(rt.sql, 1, { timezone: "Asia/Kolkata" });
  await saveRule(rt.sql, {
    ...parseRule({
      id: "sales-low",
      name: "Sales low",
      type: "threshold",
      severity: "high",
      params: { metric: "sales", op: "below", value: 1000, only_open: false },
    }),
    provisioned: false,
  });
  const app = await createApp(rt);
  await stopBundler();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ timezoneId: "America/Los_Angeles" });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error" && !/Failed to load resource/.test(m.text())) errors.push(m.text());
    });
    await page.goto(`http://127.0.0.1:${server.addr.port}/alerts`);
    assert.ok(await page.isVisible("#alerts-empty"), "no alerts yet");
    // The live connection is up once the server's hub has this tab as a subscriber.
    await waitFor(() => liveHub(rt).size > 0, { what: "the page's live connection" });

    const t0 = performance.now();
    await evaluateAlerts(rt);
    await page.waitForSelector("#alert-feed li[data-state=firing]", { timeout: 5000 });
    const shownMs = performance.now() - t0;
    assert.match(
      await page.textContent("#alert-feed li") ?? "",
      /Store S01: sales in 30 min 0\.00 \(below 10\.00\)/,
    );

    const [fired] = await rt.sql`select id, fired_at from alerts`;
    const firedAt = dateTime(fired.fired_at.getTime(), "Asia/Kolkata");
    assert.match(
      await page.textContent("#alert-feed li") ?? "",
      new RegExp(`sales-low · ${firedAt}`),
    );
    assert.match(await page.textContent(".page-head .sub") ?? "", /times in Asia\/Kolkata/);

    await page.click("#alert-feed li button.ack");
    await page.waitForSelector("#alert-feed li[data-state=acknowledged]", { timeout: 5000 });
    assert.match(
      await page.textContent("#alert-feed li .alert-state") ?? "",
      /acknowledged by manager/,
    );
    const [a] = await rt.sql`select state, acked_by from alerts`;
    assert.deepEqual([a.state, a.acked_by], ["acknowledged", "manager"]);
    // The alert's own page: its history in the store's zone, to the second.
    await page.goto(`http://127.0.0.1:${server.addr.port}/alerts/${fired.id}`);
    const [acked] = await rt.sql`select at from alert_history where event = 'acknowledged'`;
    assert.match(
      await page.textContent("#alert-history") ?? "",
      new RegExp(`${dateTime(acked.at.getTime(), "Asia/Kolkata", true)}acknowledged`),
    );
    assert.deepEqual(errors, [], "no script errors or CSP violations");
    console.log(`alert shown in the browser ${shownMs.toFixed(0)} ms after the evaluation started`);
  } finally {
    // The browser first: its open SSE request would keep the server's shutdown waiting.
    await browser.close();
    await liveHub(rt).close();
    await server.shutdown();
  }
});

Deno.test("alerts (browser) - the rule editor tests a rule against the last 7 days and saves it", async () => {
  await using rt = await testRuntime("alerts_browser_rules");
  await seedStores(rt.sql, 2);
  const app = await createApp(rt);
  await stopBundler();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${server.addr.port}/alerts/rules`);
    const rule = {
      id: "quiet-stores",
      name: "Quiet stores",
      type: "threshold",
      params: { metric: "sales", op: "below", value: 100, only_open: false },
      interval_s: 3600,
    };
    // Hydrated once typing into the editor changes its state.
    await page.fill("#rule-json", JSON.stringify(rule));
    await page.waitForFunction(
      () => {
        (document.querySelector("#test-rule") as HTMLButtonElement).click();
        return document.querySelector("#rule-preview") !== null;
      },
      undefined,
      { timeout: 10_000, polling: 200 },
    );
    // No sales at all: both stores would have fired from the start of the week and still be.
    assert.match(
      await page.textContent("#rule-preview h3") ?? "",
      /would have fired 2 times for 2 scopes/,
    );
    await page.click("#save-rule");
    await page.waitForSelector("#rule-quiet-stores", { timeout: 5000 });
    const [saved] = await rt.sql`select id, provisioned from alert_rules`;
    assert.deepEqual([saved.id, saved.provisioned], ["quiet-stores", false]);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
