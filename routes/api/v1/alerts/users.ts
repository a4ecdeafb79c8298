/**
 * GET /api/v1/alerts/users: the users alerts can reach. POST `{id, name, email?, role?,
 * store_ids?}`: create or update one (role store_manager needs store_ids). Until accounts exist
 * this is open to anyone who can reach the API; put the web role behind your SSO proxy.
 */
import type { Handlers } from "../../../../lib/web/types.ts";
import { listUsers, saveUser } from "../../../../alerts/settings.ts";
import { api, readJson } from "../../../../alerts/http.ts";

export const handler: Handlers = {
  GET: async (_req, ctx) => Response.json({ users: await listUsers(ctx.state.rt.sql) }),
  POST: async (req, ctx) => {
    const sql = ctx.state.rt.sql;
    const body = await readJson(req);
    return Response.json({ user: await api(() => saveUser(sql, body)) }, { status: 201 });
  },
};
