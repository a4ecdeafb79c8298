/**
 * GET /api/v1/alerts: alerts, newest first. `?state=open|firing|pending|acknowledged|resolved|all`
 * (default open), `?rule=`, `?store=`, `?limit=` (max 1000). A store manager sees only their
 * stores' alerts.
 */
import type { Handlers } from "../../../../lib/web/types.ts";
import { HttpError } from "../../../../lib/web/errors.ts";
import { type AlertFilter, listAlerts } from "../../../../alerts/actions.ts";
import { currentUser, userId, visibleStores } from "../../../../alerts/http.ts";

const STATES = ["open", "pending", "firing", "acknowledged", "resolved", "all"];

export const handler: Handlers = {
  GET: async (req, ctx) => {
    const rt = ctx.state.rt;
    const q = ctx.url.searchParams;
    const state = q.get("state") ?? "open";
    if (!STATES.includes(state)) {
      throw new HttpError(
        400,
        `state "${state}" is not one of ${STATES.join(", ")}; e.g. ?state=all`,
      );
    }
    const user = await currentUser(rt.sql, userId(req));
    const alerts = await listAlerts(rt, {
      state: state as AlertFilter["state"],
      rule: q.get("rule") ?? undefined,
      store: q.get("store") ?? undefined,
      limit: q.has("limit") ? Math.max(1, Number(q.get("limit")) || 200) : undefined,
      visibleStores: visibleStores(user),
    });
    return Response.json({ alerts });
  },
};
