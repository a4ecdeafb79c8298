/** `/alerts/rules`: alert rules, with an editor that tests a rule against the last 7 days. */
import type { Handlers, PageProps } from "../../lib/web/types.ts";
import { listChannels, listRules } from "../../alerts/rule_store.ts";
import type { StoredRule } from "../../alerts/rules.ts";
import RuleEditor from "../../islands/RuleEditor.tsx";

interface Data {
  rules: StoredRule[];
  channels: { id: string; name: string; type: string }[];
}

export const handler: Handlers<Data> = {
  async GET(_req, ctx) {
    ctx.state.title = "Alert rules";
    const sql = ctx.state.rt.sql;
    const [rules, channels] = await Promise.all([listRules(sql), listChannels(sql)]);
    return ctx.render({
      rules,
      channels: channels.map(({ id, name, type }) => ({ id, name, type })),
    });
  },
};

export default function RulesPage({ data }: PageProps<Data>) {
  return (
    <>
      <nav class="crumbs">
        <a href="/alerts">Alerts</a> / Rules
      </nav>
      <h1>Alert rules</h1>
      <p class="sub">
        Channels: {data.channels.length
          ? data.channels.map((c) => `${c.id} (${c.type})`).join(", ")
          : "none yet (POST /api/v1/alerts/channels or TILLSTREAM_ALERTS_FILE)"}
      </p>
      <RuleEditor rules={data.rules as unknown as Parameters<typeof RuleEditor>[0]["rules"]} />
    </>
  );
}
