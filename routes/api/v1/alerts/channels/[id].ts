/** PUT/DELETE /api/v1/alerts/channels/:id (provisioned channels: edit the file, 409). */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { HttpError } from "../../../../../lib/web/errors.ts";
import { deleteChannel, listChannels, saveChannel } from "../../../../../alerts/rule_store.ts";
import { parseChannel } from "../../../../../alerts/channels/schema.ts";
import { channelView } from "../../../../../alerts/channel_view.ts";
import { api, readJson } from "../../../../../alerts/http.ts";
import type { Sql } from "../../../../../lib/db.ts";

async function writable(sql: Sql, id: string) {
  const c = (await listChannels(sql)).find((x) => x.id === id);
  if (!c) throw new HttpError(404, `no channel "${id}"; GET /api/v1/alerts/channels lists them`);
  if (c.provisioned) {
    throw new HttpError(
      409,
      `channel "${id}" is provisioned from TILLSTREAM_ALERTS_FILE; edit the file instead`,
    );
  }
  return c;
}

export const handler: Handlers = {
  PUT: async (req, ctx) => {
    const sql = ctx.state.rt.sql;
    await writable(sql, ctx.params.id);
    const channel = await api(async () =>
      parseChannel({ ...(await readJson(req)), id: ctx.params.id })
    );
    await saveChannel(sql, channel);
    return Response.json({ channel: channelView(channel) });
  },
  DELETE: async (_req, ctx) => {
    await writable(ctx.state.rt.sql, ctx.params.id);
    await deleteChannel(ctx.state.rt.sql, ctx.params.id);
    return Response.json({ deleted: ctx.params.id });
  },
};
