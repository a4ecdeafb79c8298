/**
 * GET /api/v1/sales?from=&to=&interval=minute|hour|day&store_id=&category=
 * Dense sales buckets of one series; see docs/api.md. Logic in pipeline/query.ts.
 */
import type { Handlers } from "../../../lib/web/types.ts";
import { querySales } from "../../../pipeline/query.ts";
import { jsonAnswer } from "../../../pipeline/query_http.ts";

/** Sales buckets as JSON; the currency and the side that answered go in headers. */
export const handler: Handlers = {
  GET: (_req, ctx) =>
    jsonAnswer(async () => {
      const { rows, source, currency } = await querySales(ctx.state.rt, ctx.url.searchParams);
      return { body: rows, headers: { "x-currency": currency, "x-data-source": source } };
    }),
};
