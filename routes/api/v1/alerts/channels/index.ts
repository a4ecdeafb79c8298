/** GET /api/v1/alerts/channels: every channel (secrets masked). POST: create a channel. */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { HttpError } from "../../../../../lib/web/errors.ts";
import { channelsById, listChannels, saveChannel } from "../../../../../alerts/rule_store.ts";
import { parseChannel } from "../../../../../alerts/channels/schema.ts";
import { channelView } from "../../../../../alerts/channel_view.ts";
import { api, readJson } from "../../../../../alerts/http.ts";

export const handler: Handlers = {
  GET: async (_req, ctx) =>
    Response.json({ channels: (await listChannels(ctx.state.rt.sql)).map(channelView) }),
  POST: async (req, ctx) => {
    const sql = ctx.state.rt.sql;
    const channel = await api(async () => parseChannel(await readJson(req)));
    if ((await channelsById(sql, [channel.id])).size) {
      throw new HttpError(
        409,
        `channel "${channel.id}" exists; PUT /api/v1/alerts/channels/${channel.id} to change it`,
      );
    }
    await saveChannel(sql, channel);
    return Response.json({ channel: channelView(channel) }, { status: 201 });
  },
};
