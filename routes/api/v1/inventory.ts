/**
 * GET /api/v1/inventory?store_id=&sku=&limit=
 * Stock on hand with stock-out risk; see docs/api.md. Logic in pipeline/query_stock.ts.
 */
import type { Handlers } from "../../../lib/web/types.ts";
import { queryInventory } from "../../../pipeline/query_stock.ts";
import { jsonAnswer } from "../../../pipeline/query_http.ts";

/** Inventory rows as JSON. */
export const handler: Handlers = {
  GET: (_req, ctx) =>
    jsonAnswer(async () => ({ body: await queryInventory(ctx.state.rt, ctx.url.searchParams) })),
};
