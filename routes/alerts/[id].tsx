/**
 * `/alerts/:id`: one alert (the link in every notification): what fired, its actions, the full
 * history, and each delivery with every attempt.
 */
import type { Handlers, PageProps } from "../../lib/web/types.ts";
import { HttpError } from "../../lib/web/errors.ts";
import type { getAlert } from "../../alerts/actions.ts";
import { visibleAlert } from "../../alerts/visible.ts";
import AlertConsole from "../../islands/AlertConsole.tsx";
import { dateTime } from "../../lib/dashboard/format.ts";
import { timezoneFor } from "../../lib/dashboard/scope.ts";

type Detail = NonNullable<Awaited<ReturnType<typeof getAlert>>>;
interface Data {
  alert: Detail;
  user: string;
  timezone: string;
}

export const handler: Handlers<Data> = {
  async GET(req, ctx) {
    try {
      const { alert, user } = await visibleAlert(ctx.state.rt, req, ctx.params.id);
      ctx.state.title = `Alert ${alert.id}`;
      const timezone = await timezoneFor(ctx.state.rt.sql, alert.store_ids);
      return ctx.render({ alert, user: user.id, timezone });
    } catch (e) {
      if (e instanceof HttpError && e.status === 404) return ctx.renderNotFound();
      throw e;
    }
  },
};

export default function AlertPage({ data }: PageProps<Data>) {
  const a = data.alert;
  // deno-lint-ignore no-explicit-any
  const deliveries = a.deliveries as any[];
  // deno-lint-ignore no-explicit-any
  const history = a.history as any[];
  return (
    <>
      <nav class="crumbs">
        <a href="/alerts">Alerts</a> / {a.id}
      </nav>
      <h1>{a.summary}</h1>
      <AlertConsole alerts={[a]} user={data.user} visible={null} timezone={data.timezone} />
      <h2>History</h2>
      <p class="sub">Times in {data.timezone}</p>
      <div class="table-wrap">
        <table class="grid" id="alert-history">
          <thead>
            <tr>
              <th>When</th>
              <th>Event</th>
              <th>By</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {history.map((h) => (
              <tr>
                <td>{dateTime(new Date(h.at).getTime(), data.timezone, true)}</td>
                <td>{h.event}</td>
                <td>{h.actor ?? "engine"}</td>
                <td>{h.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Deliveries</h2>
      {deliveries.length === 0
        ? <p class="empty">No notification sent for this alert.</p>
        : (
          <div class="table-wrap">
            <table class="grid">
              <thead>
                <tr>
                  <th>Kind</th>
                  <th>Channel</th>
                  <th>To</th>
                  <th>Status</th>
                  <th>Attempts</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr>
                    <td>{d.kind}</td>
                    <td>{d.channel_id ?? d.channel_type}</td>
                    <td>{d.user_id ?? ""}</td>
                    <td
                      class={d.status === "delivered" ? "ok" : d.status === "failed" ? "bad" : ""}
                    >
                      {d.status}
                      {d.reason ? ` (${d.reason})` : ""}
                    </td>
                    <td>
                      {d.attempt_log.map((
                        t: { ok: boolean; status: number | null; error: string | null; ms: number },
                      ) =>
                        `${t.ok ? "ok" : "failed"}${t.status ? ` ${t.status}` : ""} in ${t.ms} ms${
                          t.error ? `: ${t.error}` : ""
                        }`
                      ).join("; ")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </>
  );
}
