/** DELETE /api/v1/alerts/silences/:id: end a silence now (kept for the record). */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { HttpError } from "../../../../../lib/web/errors.ts";
import { expireSilence } from "../../../../../alerts/silences.ts";
import { idParam } from "../../../../../alerts/http.ts";

export const handler: Handlers = {
  DELETE: async (_req, ctx) => {
    const id = idParam(ctx.params.id, "silence");
    if (!(await expireSilence(ctx.state.rt.sql, id, ctx.state.rt.clock.now()))) {
      throw new HttpError(404, `silence ${id} does not exist or has already ended`);
    }
    return Response.json({ ended: id });
  },
};
