/** GET /api/v1/alerts/push/vapid-public-key: `{publicKey}` for PushManager.subscribe
 * (applicationServerKey). The key pair is generated at first use and stored in PostgreSQL. */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { vapidKeys } from "../../../../../alerts/vapid.ts";

export const handler: Handlers = {
  GET: async (_req, ctx) => {
    const { publicKey } = await vapidKeys(ctx.state.rt.sql);
    return Response.json({ publicKey }, { headers: { "cache-control": "public, max-age=3600" } });
  },
};
