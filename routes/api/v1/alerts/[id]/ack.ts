/** POST /api/v1/alerts/:id/ack: acknowledge a firing alert (stops repeats; PagerDuty follows). */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { ackAlert } from "../../../../../alerts/actions.ts";
import { api, readJson } from "../../../../../alerts/http.ts";
import { visibleAlert } from "../../../../../alerts/visible.ts";
import { deliverSoon } from "../../../../../alerts/deliver_soon.ts";

export const handler: Handlers = {
  POST: async (req, ctx) => {
    const rt = ctx.state.rt;
    const body = await readJson(req);
    const { alert, user } = await visibleAlert(rt, req, ctx.params.id, body);
    const updated = await api(() => ackAlert(rt, alert.id, user.id));
    deliverSoon(rt);
    return Response.json({ alert: updated });
  },
};
