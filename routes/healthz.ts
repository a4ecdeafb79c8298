/** Liveness: the process is up and serving. Never touches dependencies. */
import type { Handlers } from "../lib/web/types.ts";

export const handler: Handlers = {
  GET: () => Response.json({ ok: true }, { headers: { "cache-control": "no-store" } }),
};
