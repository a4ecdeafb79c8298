/**
 * `/alerts`: open alerts live (acknowledge, resolve, comment, silence), then the most recent
 * resolved ones; `?user=` acts as that user until accounts exist (a store manager sees only
 * their stores).
 */
import type { Handlers, PageProps } from "../../lib/web/types.ts";
import { listAlerts } from "../../alerts/actions.ts";
import { currentUser, userId, visibleStores } from "../../alerts/http.ts";
import { listSilences, type Silence } from "../../alerts/silences.ts";
import type { AlertView } from "../../alerts/message.ts";
import AlertConsole from "../../islands/AlertConsole.tsx";
import { dateTime } from "../../lib/dashboard/format.ts";
import { timezoneFor } from "../../lib/dashboard/scope.ts";

interface Data {
  alerts: AlertView[];
  user: string;
  visible: string[] | null;
  silences: Silence[];
  timezone: string;
}

export const handler: Handlers<Data> = {
  async GET(req, ctx) {
    ctx.state.title = "Alerts";
    const rt = ctx.state.rt;
    const user = await currentUser(rt.sql, userId(req));
    const visible = visibleStores(user);
    const rule = ctx.url.searchParams.get("rule") ?? undefined;
    const [open, resolved, silences, timezone] = await Promise.all([
      listAlerts(rt, { state: "open", visibleStores: visible, rule }),
      listAlerts(rt, { state: "resolved", visibleStores: visible, rule, limit: 30 }),
      listSilences(rt.sql, rt.clock.now()),
      timezoneFor(rt.sql, visible),
    ]);
    return ctx.render({
      alerts: [...open, ...resolved],
      user: user.id,
      visible,
      silences,
      timezone,
    });
  },
};

export default function AlertsPage({ data }: PageProps<Data>) {
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Alerts</h1>
          <p class="sub">
            Open alerts update live; acting as <strong>{data.user}</strong> · times in{" "}
            {data.timezone}
          </p>
        </div>
        <div class="page-head-side">
          <a class="button" href="/alerts/rules">Rules</a>
          <a class="button" href="/alerts/settings">Notification settings</a>
        </div>
      </div>
      <AlertConsole
        alerts={data.alerts}
        user={data.user}
        visible={data.visible}
        timezone={data.timezone}
      />
      {data.silences.length > 0 && (
        <section>
          <h2>Silences</h2>
          <ul class="alerts">
            {data.silences.map((s) => (
              <li>
                <strong>{[s.rule_id, s.store_id].filter(Boolean).join(" at ")}</strong>
                <span class="muted">
                  until {dateTime(new Date(s.ends_at).getTime(), data.timezone)} · by {s.created_by}
                  {s.reason ? ` · ${s.reason}` : ""}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
