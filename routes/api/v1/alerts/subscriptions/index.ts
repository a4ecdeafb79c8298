/**
 * GET /api/v1/alerts/subscriptions: the caller's subscriptions. POST `{rule_id?, store_id?,
 * region?, min_severity?, channels?}`: subscribe (channels: "email", "web_push").
 */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { addSubscription, listSubscriptions } from "../../../../../alerts/settings.ts";
import { api, currentUser, readJson, userId } from "../../../../../alerts/http.ts";

export const handler: Handlers = {
  GET: async (req, ctx) =>
    Response.json({ subscriptions: await listSubscriptions(ctx.state.rt.sql, userId(req)) }),
  POST: async (req, ctx) => {
    const sql = ctx.state.rt.sql;
    const body = await readJson(req);
    const user = await currentUser(sql, userId(req, body));
    const { user: _, ...input } = body;
    const subscription = await api(() => addSubscription(sql, user, input));
    return Response.json({ subscription }, { status: 201 });
  },
};
