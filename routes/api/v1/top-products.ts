/**
 * GET /api/v1/top-products?store_id=&date=&limit=&by=revenue|units&category=
 * A day's best sellers; see docs/api.md. Logic in pipeline/query_stock.ts.
 */
import type { Handlers } from "../../../lib/web/types.ts";
import { queryTopProducts } from "../../../pipeline/query_stock.ts";
import { jsonAnswer } from "../../../pipeline/query_http.ts";

/** The ranking as JSON; the date ranked and the currency go in headers. */
export const handler: Handlers = {
  GET: (_req, ctx) =>
    jsonAnswer(async () => {
      const { rows, date, currency } = await queryTopProducts(ctx.state.rt, ctx.url.searchParams);
      return { body: rows, headers: { "x-currency": currency, "x-date": date } };
    }),
};
