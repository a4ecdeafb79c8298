/**
 * GET /api/v1/alerts/settings: the caller's notification settings. PUT `{timezone, quiet_start,
 * quiet_end, quiet_bypass_critical, email_enabled, push_enabled}`: save them.
 */
import type { Handlers } from "../../../../lib/web/types.ts";
import { getSettings, saveSettings } from "../../../../alerts/settings.ts";
import { api, currentUser, readJson, userId } from "../../../../alerts/http.ts";

export const handler: Handlers = {
  GET: async (req, ctx) => {
    const user = await currentUser(ctx.state.rt.sql, userId(req));
    return Response.json({ user, settings: await getSettings(ctx.state.rt.sql, user.id) });
  },
  PUT: async (req, ctx) => {
    const sql = ctx.state.rt.sql;
    const body = await readJson(req);
    const user = await currentUser(sql, userId(req, body));
    const { user: _, ...input } = body;
    return Response.json({ user, settings: await api(() => saveSettings(sql, user.id, input)) });
  },
};
