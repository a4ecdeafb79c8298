/**
 * `deno task screenshots [--url http://host:port] [--out docs/screenshots] [--hold]`
 *
 * Writes docs/screenshots/<page>-desktop.png (1280 px wide) and <page>-phone.png (375 px) of
 * each main page. Without --url it serves the app in-process on a fresh database seeded with the
 * demo dataset (lib/dashboard/seed.ts), so the pictures never depend on what a live system holds.
 * --hold keeps that server running afterwards (to look at it in a browser).
 */
import { parseArgs } from "node:util";
import { launchBrowser } from "../lib/testing/browser.ts";

/** The main pages; the store and SKU shown are the system's best sellers today. */
async function pages(base: string): Promise<[name: string, path: string][]> {
  const get = async (path: string) => {
    const r = await fetch(base + path);
    return r.ok ? await r.json() : null;
  };
  // The stores export is ordered by today's sales: its first row is the busiest store.
  const csv = await (await fetch(base + "/api/v1/export/stores.csv")).text();
  const top = await get("/api/v1/top-products?limit=1");
  const store = csv.split("\r\n")[1]?.split(",")[0] || "NYC-01";
  const sku = top?.[0]?.sku ?? top?.rows?.[0]?.sku ?? "SKU-1001";
  return [
    ["overview", "/"],
    ["stores", "/stores"],
    ["store", `/stores/${encodeURIComponent(store)}`],
    ["products", `/products?sku=${encodeURIComponent(sku)}`],
    ["inventory", "/inventory"],
    ["forecasts", "/forecasts"],
    ["customers", "/customers"],
    ["alerts", "/alerts"],
    ["models", "/models"],
  ];
}

async function serveSeeded(): Promise<{ url: string; close: () => Promise<void> }> {
  const { testRuntime } = await import("../lib/testing/services.ts");
  const { createApp } = await import("../lib/web/app.ts");
  const { seedDemo } = await import("../lib/dashboard/seed.ts");
  const rt = await testRuntime("screens");
  const now = rt.clock.now();
  const n = await seedDemo(rt, { now, pastDays: [7, 14, 21, 28, 1, 2, 3], scale: 1, models: true });
  console.log(`seeded ${n} receipts`);
  const app = await createApp(rt);
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, app.fetch);
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    close: async () => {
      await server.shutdown();
      await rt[Symbol.asyncDispose]();
    },
  };
}

/** Usage text. */
export const USAGE = `usage:
  deno task screenshots [--url http://localhost:8000] [--out docs/screenshots] [--only overview] [--hold]
Without --url, a fresh database seeded with the demo dataset is served in-process.`;

/** Takes the screenshots; returns the files written. */
export async function run(args: string[]): Promise<string[]> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        url: { type: "string" },
        out: { type: "string", default: "docs/screenshots" },
        hold: { type: "boolean", default: false },
        only: { type: "string" },
        help: { type: "boolean", default: false },
      },
    }));
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    return [];
  }
  const served = values.url ? null : await serveSeeded();
  const base = values.url ?? served!.url;
  await Deno.mkdir(values.out!, { recursive: true });
  const written: string[] = [];
  const browser = await launchBrowser();
  try {
    for (const [name, path] of await pages(base)) {
      if (values.only && values.only !== name) continue;
      for (const [kind, width, height] of [["desktop", 1280, 900], ["phone", 375, 812]] as const) {
        const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
        const res = await page.goto(base + path, { waitUntil: "networkidle" }).catch(() => null);
        if (!res?.ok()) {
          throw new Error(`${path} answered ${res?.status() ?? "nothing"} at ${base}`);
        }
        // Charts draw after hydration.
        await page.waitForTimeout(400);
        const file = `${values.out}/${name}-${kind}.png`;
        await page.screenshot({ path: file, fullPage: true });
        written.push(file);
        console.log(`${file}${errors.length ? `  (console errors: ${errors.join(" | ")})` : ""}`);
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
  if (values.hold && served) {
    console.log(`serving ${base} — Ctrl-C to stop`);
    await new Promise(() => {});
  }
  await served?.close();
  return written;
}

if (import.meta.main) {
  await run(Deno.args);
  Deno.exit(0);
}
