/** POST /api/v1/alerts/:id/resolve `{note?}`: resolve by hand (the next pass reopens it if the
 * condition still holds). */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { resolveAlert } from "../../../../../alerts/actions.ts";
import { api, readJson } from "../../../../../alerts/http.ts";
import { visibleAlert } from "../../../../../alerts/visible.ts";
import { deliverSoon } from "../../../../../alerts/deliver_soon.ts";

export const handler: Handlers = {
  POST: async (req, ctx) => {
    const rt = ctx.state.rt;
    const body = await readJson(req);
    const { alert, user } = await visibleAlert(rt, req, ctx.params.id, body);
    const note = typeof body.note === "string" ? body.note.slice(0, 2000) : undefined;
    const updated = await api(() => resolveAlert(rt, alert.id, user.id, note));
    deliverSoon(rt);
    return Response.json({ alert: updated });
  },
};
