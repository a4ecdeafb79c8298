/**
 * Headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core.
 * Set CHROMIUM_PATH to use another binary.
 */
import { type Browser, chromium } from "playwright-core";

/** Path of the Chromium binary used by tests. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

/** Launches headless Chromium with flags that keep it off the (closed) network. */
export async function launchBrowser(): Promise<Browser & AsyncDisposable> {
  try {
    await Deno.stat(CHROMIUM_PATH);
  } catch {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" or set CHROMIUM_PATH`,
    );
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-dev-shm-usage",
    ],
  });
  return Object.assign(browser, {
    async [Symbol.asyncDispose]() {
      await browser.close();
    },
  });
}
