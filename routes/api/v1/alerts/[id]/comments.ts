/** POST /api/v1/alerts/:id/comments `{text}`: add a comment to the alert's history. */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { HttpError } from "../../../../../lib/web/errors.ts";
import { commentAlert } from "../../../../../alerts/actions.ts";
import { api, readJson } from "../../../../../alerts/http.ts";
import { visibleAlert } from "../../../../../alerts/visible.ts";

export const handler: Handlers = {
  POST: async (req, ctx) => {
    const rt = ctx.state.rt;
    const body = await readJson(req);
    const text = typeof body.text === "string" ? body.text.trim() : "";
    if (!text || text.length > 4000) {
      throw new HttpError(
        400,
        'send {"text": "..."} with 1-4000 characters, e.g. {"text": "called the store"}',
      );
    }
    const { alert, user } = await visibleAlert(rt, req, ctx.params.id, body);
    const comment = await api(() => commentAlert(rt, alert.id, user.id, text));
    return Response.json({ comment }, { status: 201 });
  },
};
