/**
 * GET /api/v1/alerts/rules: every rule. POST: create a rule (the body is a rule, see
 * docs/api.md); 409 when the id exists.
 */
import type { Handlers } from "../../../../../lib/web/types.ts";
import { HttpError } from "../../../../../lib/web/errors.ts";
import {
  checkRuleChannels,
  getRule,
  listRules,
  saveRule,
} from "../../../../../alerts/rule_store.ts";
import { parseRule } from "../../../../../alerts/rules.ts";
import { api, readJson } from "../../../../../alerts/http.ts";

export const handler: Handlers = {
  GET: async (_req, ctx) => Response.json({ rules: await listRules(ctx.state.rt.sql) }),
  POST: async (req, ctx) => {
    const sql = ctx.state.rt.sql;
    const rule = await api(async () => parseRule(await readJson(req)));
    if (await getRule(sql, rule.id)) {
      throw new HttpError(
        409,
        `rule "${rule.id}" exists; PUT /api/v1/alerts/rules/${rule.id} to change it`,
      );
    }
    await api(() => checkRuleChannels(sql, rule));
    await saveRule(sql, { ...rule, provisioned: false });
    return Response.json({ rule: await getRule(sql, rule.id) }, { status: 201 });
  },
};
