/** DELETE /api/v1/alerts/subscriptions/:id: unsubscribe (the caller's own subscriptions only). */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { HttpError } from "../../../../../lib/web/errors.ts";
import { deleteSubscription } from "../../../../../alerts/settings.ts";
import { idParam, userId } from "../../../../../alerts/http.ts";

export const handler: Handlers = {
  DELETE: async (req, ctx) => {
    const id = idParam(ctx.params.id, "subscription");
    if (!(await deleteSubscription(ctx.state.rt.sql, userId(req), id))) {
      throw new HttpError(404, `subscription ${id} is not one of yours`);
    }
    return Response.json({ deleted: id });
  },
};
