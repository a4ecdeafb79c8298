/**
 * GET/PUT/DELETE /api/v1/alerts/rules/:id. Rules from TILLSTREAM_ALERTS_FILE are read-only
 * here (409): change the file.
 */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { HttpError } from "../../../../../lib/web/errors.ts";
import {
  checkRuleChannels,
  deleteRule,
  getRule,
  saveRule,
} from "../../../../../alerts/rule_store.ts";
import { parseRule } from "../../../../../alerts/rules.ts";
import { api, readJson } from "../../../../../alerts/http.ts";
import type { Sql } from "../../../../../lib/db.ts";

async function existing(sql: Sql, id: string, write: boolean) {
  const rule = await getRule(sql, id);
  if (!rule) throw new HttpError(404, `no rule "${id}"; GET /api/v1/alerts/rules lists them`);
  if (write && rule.provisioned) {
    throw new HttpError(
      409,
      `rule "${id}" is provisioned from TILLSTREAM_ALERTS_FILE; edit the file instead`,
    );
  }
  return rule;
}

export const handler: Handlers = {
  GET: async (_req, ctx) =>
    Response.json({ rule: await existing(ctx.state.rt.sql, ctx.params.id, false) }),
  PUT: async (req, ctx) => {
    const sql = ctx.state.rt.sql;
    await existing(sql, ctx.params.id, true);
    const rule = await api(async () => parseRule({ ...(await readJson(req)), id: ctx.params.id }));
    await api(() => checkRuleChannels(sql, rule));
    await saveRule(sql, { ...rule, provisioned: false });
    return Response.json({ rule: await getRule(sql, rule.id) });
  },
  DELETE: async (_req, ctx) => {
    const sql = ctx.state.rt.sql;
    await existing(sql, ctx.params.id, true);
    await deleteRule(sql, ctx.params.id);
    return Response.json({ deleted: ctx.params.id });
  },
};
