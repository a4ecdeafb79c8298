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

interface Data {
  alerts: AlertView[];
  user: string;
  visible: string[] | null;
  silences: Silence[];
}

export const handler: Handlers<Data> = {
  async GET(req, ctx) {
    ctx.state.title = "Alerts";
    const rt = ctx.state.rt;
    const user = await currentUser(rt.sql, userId(req));
    const visible = visibleStores(user);
    const rule = ctx.url.searchParams.get("rule") ?? undefined;
    const [open, resolved, silences] = await Promise.all([
      listAlerts(rt, { state: "open", visibleStores: visible, rule }),
      listAlerts(rt, { state: "resolved", visibleStores: visible, rule, limit: 30 }),
      listSilences(rt.sql, rt.clock.now()),
    ]);
    return ctx.render({ alerts: [...open, ...resolved], user: user.id, visible, silences });
  },
};

export default function AlertsPage({ data }: PageProps<Data>) {
  return (
    <>
      <div class="page-head">
        <div>
          <h1>Alerts</h1>
          <p class="sub">
            Open alerts update live; acting as <strong>{data.user}</strong>
          </p>
        </div>
        <div class="page-head-side">
          <a class="button" href="/alerts/rules">Rules</a>
          <a class="button" href="/alerts/settings">Notification settings</a>
        </div>
      </div>
      <AlertConsole alerts={data.alerts} user={data.user} visible={data.visible} />
      {data.silences.length > 0 && (
        <section>
          <h2>Silences</h2>
          <ul class="alerts">
            {data.silences.map((s) => (
              <li>
                <strong>{[s.rule_id, s.store_id].filter(Boolean).join(" at ")}</strong>
                <span class="muted">
                  until {new Date(s.ends_at).toISOString().slice(0, 16).replace("T", " ")} UTC · by
                  {" "}
                  {s.created_by}
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
