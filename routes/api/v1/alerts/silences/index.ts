/**
 * GET /api/v1/alerts/silences: silences not yet ended.
 * POST /api/v1/alerts/silences `{rule_id?, store_id?, minutes? | starts_at?, ends_at?, reason?}`:
 * mute notifications by rule, store or both for a while (default 60 minutes from now).
 */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { HttpError } from "../../../../../lib/web/errors.ts";
import { createSilence, listSilences } from "../../../../../alerts/silences.ts";
import { currentUser, readJson, userId } from "../../../../../alerts/http.ts";

const time = (v: unknown, name: string): number | undefined => {
  if (v === undefined || v === null) return undefined;
  const t = typeof v === "string" ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) {
    throw new HttpError(400, `${name} must be an ISO time, e.g. "2026-03-02T18:00:00Z"`);
  }
  return t;
};

export const handler: Handlers = {
  GET: async (_req, ctx) =>
    Response.json({ silences: await listSilences(ctx.state.rt.sql, ctx.state.rt.clock.now()) }),
  POST: async (req, ctx) => {
    const rt = ctx.state.rt;
    const body = await readJson(req);
    const user = await currentUser(rt.sql, userId(req, body));
    const ruleId = typeof body.rule_id === "string" ? body.rule_id : null;
    const storeId = typeof body.store_id === "string" ? body.store_id : null;
    if (!ruleId && !storeId) {
      throw new HttpError(
        400,
        'name what to silence: {"rule_id": "sales-low"}, {"store_id": "S01"} or both',
      );
    }
    if (user.role === "store_manager" && (!storeId || !user.store_ids.includes(storeId))) {
      throw new HttpError(
        403,
        `a store manager may only silence their own stores (${user.store_ids.join(", ")})`,
      );
    }
    const now = rt.clock.now();
    const starts = time(body.starts_at, "starts_at") ?? now;
    const minutes = body.minutes === undefined ? 60 : Number(body.minutes);
    if (!(minutes > 0 && minutes <= 7 * 24 * 60)) {
      throw new HttpError(400, "minutes must be between 1 and 10080 (a week), e.g. 120");
    }
    const ends = time(body.ends_at, "ends_at") ?? starts + minutes * 60_000;
    if (ends <= starts) throw new HttpError(400, "ends_at must be after starts_at");
    const silence = await createSilence(rt.sql, {
      rule_id: ruleId,
      store_id: storeId,
      starts_at: new Date(starts),
      ends_at: new Date(ends),
      reason: typeof body.reason === "string" ? body.reason.slice(0, 500) : "",
      created_by: user.id,
    });
    return Response.json({ silence }, { status: 201 });
  },
};
