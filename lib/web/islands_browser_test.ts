import assert from "node:assert/strict";
import { createApp } from "./app.ts";
import { stopBundler } from "./bundle.ts";
import { launchBrowser } from "../testing/browser.ts";
import type { Runtime } from "../runtime.ts";

const fixtures = new URL("./testdata/", import.meta.url).pathname;

async function serveFixtures() {
  const app = await createApp({} as Runtime, {
    routesDir: `${fixtures}routes`,
    islandsDir: `${fixtures}islands`,
    staticDir: `${fixtures}static`,
  });
  await stopBundler();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
  return {
    base: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

Deno.test("islands (browser) - an island hydrates with its props and then changes state", async () => {
  await using srv = await serveFixtures();
  await using browser = await launchBrowser();
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    // The browser's own favicon probe 404s on the fixture site; every other error counts.
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && !r.url().endsWith("/favicon.ico")) {
      errors.push(`${r.status()} ${r.url()}`);
    }
  });
  await page.goto(`${srv.base}/island`);
  assert.equal(await page.textContent("#count"), "3", "server-rendered value");
  // Hydration is done when a click changes state; wait for it rather than sleeping.
  await page.waitForFunction(
    () => {
      (document.querySelector("#inc") as HTMLButtonElement).click();
      return Number(document.querySelector("#count")!.textContent) > 3;
    },
    undefined,
    { timeout: 5000, polling: 50 },
  );
  const after = Number(await page.textContent("#count"));
  await page.click("#inc");
  assert.equal(Number(await page.textContent("#count")), after + 1);
  assert.equal(await page.textContent("#since"), "date:2026", "Date props arrive as Date");
  assert.deepEqual(errors, [], "no CSP violations or script errors");
});

Deno.test("islands (browser) - a page without islands loads no script", async () => {
  await using srv = await serveFixtures();
  await using browser = await launchBrowser();
  const page = await browser.newPage();
  const scripts: string[] = [];
  page.on("request", (r) => {
    if (r.resourceType() === "script") scripts.push(r.url());
  });
  await page.goto(`${srv.base}/about`);
  assert.match((await page.textContent("#about"))!, /about/);
  assert.equal(await page.evaluate(() => document.scripts.length), 0);
  assert.deepEqual(scripts, []);
});
