/**
 * POST /api/v1/alerts/rules/preview: "test a rule". The body is a rule (saved or not, `id` may
 * be omitted); the answer says when it would have fired over the last 7 days (`?days=` 1-7).
 */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { HttpError } from "../../../../../lib/web/errors.ts";
import { parseRule } from "../../../../../alerts/rules.ts";
import { previewRule } from "../../../../../alerts/preview.ts";
import { api, readJson } from "../../../../../alerts/http.ts";

export const handler: Handlers = {
  POST: async (req, ctx) => {
    const days = Number(ctx.url.searchParams.get("days") ?? 7);
    if (!(days >= 1 && days <= 7)) throw new HttpError(400, "days must be 1-7, e.g. ?days=7");
    const body = await readJson(req);
    const rule = await api(() => parseRule({ id: "preview", ...body }));
    const preview = await previewRule(ctx.state.rt, rule, ctx.state.rt.clock.now(), days);
    return Response.json({ preview });
  },
};
