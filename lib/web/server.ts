/** The web role: serves the app until shutdown, then drains in-flight requests. */
import type { Runtime } from "../runtime.ts";
import type { RoleOptions } from "../roles.ts";
import { createApp } from "./app.ts";
import { log } from "../log.ts";

/** Runs the HTTP server until the signal aborts. */
export async function runWeb(rt: Runtime, { signal, dev }: RoleOptions): Promise<void> {
  const app = await createApp(rt, { dev });
  const server = Deno.serve({
    port: rt.config.PORT,
    hostname: rt.config.TILLSTREAM_HOST,
    signal,
    onListen: ({ hostname, port }) => {
      const shown = hostname === "0.0.0.0" ? "localhost" : hostname;
      log.info(`web listening on http://${shown}:${port}`);
      console.log(`Tillstream is up: http://${shown}:${port}`);
    },
    onError: (e) => {
      log.error("unhandled request error", { error: String(e) });
      return new Response("Internal error", { status: 500 });
    },
  }, app.fetch);
  // Deno.serve with a signal stops accepting, then finishes in-flight requests.
  await server.finished;
}
