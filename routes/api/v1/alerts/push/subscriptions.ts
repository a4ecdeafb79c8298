/**
 * POST /api/v1/alerts/push/subscriptions: store this browser's PushSubscription
 * (`subscription.toJSON()`: `{endpoint, keys: {p256dh, auth}}`) for the caller.
 * DELETE `{endpoint}`: forget it.
 */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { HttpError } from "../../../../../lib/web/errors.ts";
import { deletePushSubscription, savePushSubscription } from "../../../../../alerts/settings.ts";
import { api, currentUser, readJson, userId } from "../../../../../alerts/http.ts";

export const handler: Handlers = {
  POST: async (req, ctx) => {
    const sql = ctx.state.rt.sql;
    const body = await readJson(req);
    const user = await currentUser(sql, userId(req, body));
    const saved = await api(() =>
      savePushSubscription(sql, user.id, body, req.headers.get("user-agent"))
    );
    return Response.json({ subscription: saved }, { status: 201 });
  },
  DELETE: async (req, ctx) => {
    const body = await readJson(req);
    if (typeof body.endpoint !== "string") {
      throw new HttpError(400, 'send {"endpoint": "<the subscription endpoint URL>"}');
    }
    const ok = await deletePushSubscription(ctx.state.rt.sql, userId(req, body), body.endpoint);
    if (!ok) throw new HttpError(404, "no such push subscription for you");
    return Response.json({ deleted: body.endpoint });
  },
};
