/** Readiness: 200 when Redis and PostgreSQL answer and migrations are current, else 503. */
import type { Handlers } from "../lib/web/types.ts";
import { readiness } from "../lib/health.ts";

export const handler: Handlers = {
  async GET(_req, ctx) {
    const report = await readiness(ctx.state.rt);
    return Response.json(report, {
      status: report.ready ? 200 : 503,
      headers: { "cache-control": "no-store" },
    });
  },
};
