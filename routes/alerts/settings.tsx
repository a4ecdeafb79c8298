/** `/alerts/settings`: the acting user's quiet hours, personal channels and subscriptions. */
import type { Handlers, PageProps } from "../../lib/web/types.ts";
import { currentUser, userId } from "../../alerts/http.ts";
import { getSettings, listSubscriptions } from "../../alerts/settings.ts";
import { listRules } from "../../alerts/rule_store.ts";
import NotificationSettings from "../../islands/NotificationSettings.tsx";

type Props = Parameters<typeof NotificationSettings>[0];

export const handler: Handlers<Props> = {
  async GET(req, ctx) {
    ctx.state.title = "Notification settings";
    const sql = ctx.state.rt.sql;
    const user = await currentUser(sql, userId(req));
    const [settings, subscriptions, rules, stores] = await Promise.all([
      getSettings(sql, user.id),
      listSubscriptions(sql, user.id),
      listRules(sql),
      sql<{ id: string; name: string }[]>`select id, name from stores order by id`,
    ]);
    return ctx.render({
      user: user.id,
      settings,
      subscriptions: subscriptions as unknown as Props["subscriptions"],
      rules: rules.map((r) => ({ id: r.id, name: r.name })),
      stores: user.role === "store_manager"
        ? stores.filter((s) => user.store_ids.includes(s.id))
        : [...stores],
    });
  },
};

export default function SettingsPage({ data }: PageProps<Props>) {
  return (
    <>
      <nav class="crumbs">
        <a href="/alerts">Alerts</a> / Notification settings
      </nav>
      <h1>Notification settings for {data.user}</h1>
      <p class="sub">
        Until accounts exist, add <code>?user=ana</code> to act as another user.
      </p>
      <NotificationSettings {...data} />
    </>
  );
}
