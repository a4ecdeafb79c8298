/**
 * Recent alerts, kept current by the alert events of the live stream (`event: alert`, see
 * alerts/live.ts): a new or changed alert moves to the top with its new state.
 */
import { useEffect, useState } from "preact/hooks";
import { dateTime } from "../lib/dashboard/format.ts";
// Type only (erased from the island bundle): the server's recentAlerts() fills the initial list,
// so the island's items are that query's rows, not a look-alike that could drift from it.
import type { AlertItem } from "../lib/dashboard/lists.ts";
import { onAlert } from "./live_client.ts";

interface Props {
  /** null: the alerts tables do not exist on this installation. */
  alerts: AlertItem[] | null;
  /** "*" or a store id: only alerts naming it. */
  store_id: string;
  timezone: string;
  limit?: number;
}

/** Folds one alert event into the list: open alerts first, newest first. */
export function foldAlert(
  list: AlertItem[],
  ev: unknown,
  storeId: string,
  limit: number,
): AlertItem[] {
  const e = ev as { type?: string; alert?: Record<string, unknown> } | null;
  const a = e?.type === "alert" ? e.alert : undefined;
  if (!a || typeof a.id !== "number") return list;
  const stores = Array.isArray(a.store_ids) ? a.store_ids as string[] : [];
  if (storeId !== "*" && !stores.includes(storeId)) return list;
  const item: AlertItem = {
    id: a.id,
    state: String(a.state),
    severity: String(a.severity),
    summary: String(a.summary),
    store_ids: stores,
    at: Date.parse(String(a.fired_at ?? a.started_at)) || Date.now(),
  };
  const rest = list.filter((x) => x.id !== item.id);
  return [item, ...rest]
    .sort((x, y) => Number(y.state !== "resolved") - Number(x.state !== "resolved") || y.at - x.at)
    .slice(0, limit);
}

export default function AlertFeed({ alerts, store_id, timezone, limit = 6 }: Props) {
  const [list, setList] = useState(alerts ?? []);
  useEffect(() => onAlert((ev) => setList((l) => foldAlert(l, ev, store_id, limit))), [store_id]);
  if (alerts === null && !list.length) {
    return <p class="empty">Alerts are not set up on this installation yet.</p>;
  }
  if (!list.length) {
    return (
      <p class="empty">
        No alerts. Rules are managed on <a href="/alerts">Alerts</a>.
      </p>
    );
  }
  return (
    <ul class="alerts" id="recent-alerts">
      {list.map((a) => (
        <li class={`sev-${a.severity} state-${a.state}`} key={a.id} data-alert={a.id}>
          <span class="sev">{a.severity}</span>
          <a href={`/alerts/${a.id}`}>{a.summary}</a>
          <span class="muted">{a.state} · {dateTime(a.at, timezone)}</span>
        </li>
      ))}
    </ul>
  );
}
