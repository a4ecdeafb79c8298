/**
 * The web app alone in its own process, for bench/web.ts: the benchmark's 100-1,000 clients
 * then do not share this process's event loop. Configured from the environment
 * (DATABASE_URL, REDIS_URL, TILLSTREAM_KEY_PREFIX); prints `port=<n>` once listening.
 */
import { loadConfig } from "../../lib/config.ts";
import { openRuntime } from "../../lib/runtime.ts";
import { createApp } from "../../lib/web/app.ts";

const rt = await openRuntime(loadConfig(), { poolSize: 20, name: "bench-web" });
const app = await createApp(rt);
Deno.serve({
  port: 0,
  hostname: "127.0.0.1",
  onListen: ({ port }) => console.log(`port=${port}`),
}, app.fetch);
