/** GET /api/v1/stores: every store as JSON (`{stores: [...]}`). */
import type { Handlers } from "../../../lib/web/types.ts";
import { listStores } from "../../../lib/stores.ts";

export const handler: Handlers = {
  GET: async (_req, ctx) => Response.json({ stores: await listStores(ctx.state.rt.sql) }),
};
