/**
 * The alert console of `/alerts` and `/alerts/:id`: open alerts that update the moment the engine publishes on
 * `live:alerts` (SSE "alert" events), with acknowledge, resolve, comment and silence buttons
 * calling the JSON API, and browser notifications (Notification API in the tab, Web Push through
 * static/sw.js when the tab is closed) once the user allows them.
 */
import { useEffect, useState } from "preact/hooks";
// Types only (erased from the island bundle): the page, the JSON API and the live feed all send
// alerts/message.ts's AlertView, so the console reads that shape rather than a copy of it.
import type { AlertMessage, AlertView } from "../alerts/message.ts";
import { onAlert } from "./live_client.ts";
import { dateTime } from "../lib/dashboard/format.ts";

interface Props {
  alerts: AlertView[];
  /** Who acts (X-Tillstream-User) until accounts exist. */
  user: string;
  /** Store ids the user may see; null: all. */
  visible: string[] | null;
  /** Time zone the alerts' times are shown in (the page says which). */
  timezone: string;
}

const OPEN = new Set(["pending", "firing", "acknowledged"]);

async function call(user: string, path: string, body: unknown = {}) {
  const res = await fetch(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-tillstream-user": user },
    body: JSON.stringify(body),
  });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error ?? `request failed (${res.status})`);
  return json;
}

function b64urlToBytes(s: string): Uint8Array {
  const b = atob(s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4));
  return Uint8Array.from(b, (c) => c.charCodeAt(0));
}

/** Asks for notification permission and registers this browser for Web Push. */
async function enablePush(user: string): Promise<string> {
  if (!("Notification" in globalThis)) return "this browser has no notifications";
  const perm = await Notification.requestPermission();
  if (perm !== "granted") return "notifications were not allowed";
  if (!("serviceWorker" in navigator) || !("PushManager" in globalThis)) {
    return "notifications on while this tab is open (no Web Push in this browser)";
  }
  const reg = await navigator.serviceWorker.register("/sw.js");
  await navigator.serviceWorker.ready;
  const { publicKey } = await (await fetch("/api/v1/alerts/push/vapid-public-key")).json();
  const sub = await reg.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: b64urlToBytes(publicKey) as BufferSource,
  });
  await call(user, "/api/v1/alerts/push/subscriptions", sub.toJSON());
  return "notifications on, also when this tab is closed";
}

export default function AlertConsole({ alerts, user, visible, timezone }: Props) {
  const [list, setList] = useState(alerts);
  const [fresh, setFresh] = useState<Set<number>>(new Set());
  const [message, setMessage] = useState("");
  useEffect(() =>
    onAlert((raw) => {
      const ev = raw as {
        type?: string;
        event?: string;
        alert?: AlertView;
        message?: Pick<AlertMessage, "title" | "text" | "url" | "alerts">;
      };
      if (ev?.type === "notification") {
        const m = ev.message;
        // A store manager is only told about their own stores.
        const mine = m && (!visible || m.alerts.some((x) =>
          x.store_ids.length > 0 && x.store_ids.every((id) =>
            visible.includes(id)
          )
        ));
        if (
          mine && typeof Notification !== "undefined" && Notification.permission === "granted" &&
          document.visibilityState !== "visible"
        ) {
          const n = new Notification(m.title, { body: m.text, tag: m.url, icon: "/icon-192.png" });
          n.onclick = () => globalThis.open(m.url, "_self");
        }
        return;
      }
      const a = ev?.alert;
      if (ev?.type !== "alert" || !a) return;
      if (visible && !(a.store_ids.length && a.store_ids.every((s) => visible.includes(s)))) return;
      setList((prev) => {
        const rest = prev.filter((x) => x.id !== a.id);
        return [a, ...rest].sort((x, y) =>
          Number(OPEN.has(y.state)) - Number(OPEN.has(x.state)) ||
          Date.parse(y.fired_at ?? y.started_at) - Date.parse(x.fired_at ?? x.started_at)
        );
      });
      setFresh((s) => new Set([...s, a.id]));
    }), []);

  const act = async (a: AlertView, what: "ack" | "resolve" | "comment" | "silence") => {
    try {
      if (what === "comment") {
        const text = globalThis.prompt?.("Comment on this alert:") ?? "";
        if (!text.trim()) return;
        await call(user, `/api/v1/alerts/${a.id}/comments`, { text });
        setMessage(`comment added to alert ${a.id}`);
      } else if (what === "silence") {
        await call(user, "/api/v1/alerts/silences", {
          rule_id: a.rule_id,
          store_id: a.store_ids[0],
          minutes: 60,
          reason: `silenced from alert ${a.id}`,
        });
        setMessage(
          `notifications for ${a.rule_id}${
            a.store_ids[0] ? ` at ${a.store_ids[0]}` : ""
          } silenced for 1 h`,
        );
      } else {
        const { alert } = await call(user, `/api/v1/alerts/${a.id}/${what}`);
        setList((prev) => prev.map((x) => x.id === alert.id ? alert : x));
      }
    } catch (e) {
      setMessage((e as Error).message);
    }
  };

  return (
    <>
      <div class="alert-tools">
        <button
          type="button"
          id="enable-push"
          onClick={async () =>
            setMessage(await enablePush(user).catch((e) => String(e.message ?? e)))}
        >
          Browser notifications
        </button>
        <span class="muted" role="status" id="alert-message">{message}</span>
      </div>
      {list.length === 0
        ? <p class="empty" id="alerts-empty">No alerts. New ones appear here live.</p>
        : (
          <ul class="alert-feed" id="alert-feed" aria-live="polite">
            {list.map((a) => (
              <li
                key={a.id}
                id={`alert-${a.id}`}
                class={`sev-${a.severity} state-${a.state}${fresh.has(a.id) ? " new" : ""}`}
                data-state={a.state}
              >
                <span class="sev">{a.severity}</span>
                <a href={`/alerts/${a.id}`} class="alert-summary">{a.summary}</a>
                <span class="alert-state">{a.state}{a.acked_by ? ` by ${a.acked_by}` : ""}</span>
                <span class="muted">
                  {a.rule_id} · {dateTime(Date.parse(a.fired_at ?? a.started_at), timezone)}
                  {a.flap_count > 0 ? ` · flapped ${a.flap_count}×` : ""}
                </span>
                {OPEN.has(a.state) && (
                  <span class="alert-actions">
                    {a.state === "firing" && (
                      <button
                        type="button"
                        class="primary ack"
                        onClick={() => act(a, "ack")}
                      >
                        Acknowledge
                      </button>
                    )}
                    <button type="button" class="resolve" onClick={() => act(a, "resolve")}>
                      Resolve
                    </button>
                    <button type="button" class="comment" onClick={() => act(a, "comment")}>
                      Comment
                    </button>
                    <button type="button" class="silence" onClick={() => act(a, "silence")}>
                      Silence 1 h
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
    </>
  );
}
