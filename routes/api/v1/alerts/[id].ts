/** GET /api/v1/alerts/:id: one alert with details, full history and every delivery attempt. */
import type { Handlers } from "../../../../lib/web/types.ts";
import { visibleAlert } from "../../../../alerts/visible.ts";

export const handler: Handlers = {
  GET: async (req, ctx) => {
    const { alert } = await visibleAlert(ctx.state.rt, req, ctx.params.id);
    return Response.json({ alert });
  },
};
