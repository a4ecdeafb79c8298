/**
 * GET /metrics: operator figures in Prometheus text format (scrape it from Prometheus, or
 * `curl localhost:8000/metrics`). Stream lag and DLQ size are read from Redis per scrape.
 */
import type { Handlers } from "../lib/web/types.ts";
import { renderMetrics } from "../lib/metrics.ts";

/** Serves the process registry. */
export const handler: Handlers = {
  async GET(_req, ctx) {
    const { body, contentType } = await renderMetrics(ctx.state.rt);
    return new Response(body, {
      headers: { "content-type": contentType, "cache-control": "no-store" },
    });
  },
};
