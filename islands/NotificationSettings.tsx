/**
 * Notification settings of `/alerts/settings` for the acting user: quiet hours, e-mail and push
 * on or off, and subscriptions (which rules, stores and severities reach them).
 */
import { useState } from "preact/hooks";

interface Settings {
  timezone: string;
  quiet_start: string | null;
  quiet_end: string | null;
  quiet_bypass_critical: boolean;
  email_enabled: boolean;
  push_enabled: boolean;
}

interface Subscription {
  id: number;
  rule_id: string | null;
  store_id: string | null;
  region: string | null;
  min_severity: string;
  channels: string[];
}

interface Props {
  user: string;
  settings: Settings;
  subscriptions: Subscription[];
  rules: { id: string; name: string }[];
  stores: { id: string; name: string }[];
}

export default function NotificationSettings(p: Props) {
  const [s, setS] = useState(p.settings);
  const [subs, setSubs] = useState(p.subscriptions);
  const [msg, setMsg] = useState("");
  const [draft, setDraft] = useState({ rule_id: "", store_id: "", min_severity: "high" });
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(path, {
      method,
      headers: { "content-type": "application/json", "x-tillstream-user": p.user },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(json.error ?? `failed (${res.status})`);
    return json;
  };
  const guard = (f: () => Promise<void>) => f().catch((e) => setMsg((e as Error).message));
  const field = (k: keyof Settings) => (e: Event) => {
    const t = e.target as HTMLInputElement;
    setS({ ...s, [k]: t.type === "checkbox" ? t.checked : t.value || null });
  };
  return (
    <>
      <form
        class="card settings"
        id="settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          guard(async () => {
            setS((await send("PUT", "/api/v1/alerts/settings", s)).settings);
            setMsg("saved");
          });
        }}
      >
        <label>
          Time zone <input name="timezone" value={s.timezone} onInput={field("timezone")} />
        </label>
        <label>
          Quiet from{" "}
          <input type="time" value={s.quiet_start ?? ""} onInput={field("quiet_start")} />
        </label>
        <label>
          to <input type="time" value={s.quiet_end ?? ""} onInput={field("quiet_end")} />
        </label>
        <label>
          <input
            type="checkbox"
            checked={s.quiet_bypass_critical}
            onChange={field("quiet_bypass_critical")}
          />{" "}
          critical alerts ignore quiet hours
        </label>
        <label>
          <input type="checkbox" checked={s.email_enabled} onChange={field("email_enabled")} />{" "}
          e-mail
        </label>
        <label>
          <input type="checkbox" checked={s.push_enabled} onChange={field("push_enabled")} />{" "}
          browser push
        </label>
        <button class="primary" type="submit">Save settings</button>
        <span class="muted" role="status">{msg}</span>
      </form>
      <h2>Subscriptions</h2>
      <ul class="alerts" id="subscriptions">
        {subs.length === 0 && (
          <li class="empty">No subscriptions: you receive no personal notifications.</li>
        )}
        {subs.map((x) => (
          <li>
            <strong>{x.rule_id ?? "every rule"}</strong>
            <span>{x.store_id ?? x.region ?? "every store"}</span>
            <span class="muted">{x.min_severity}+ · {x.channels.join(", ")}</span>
            <button
              type="button"
              onClick={() =>
                guard(async () => {
                  await send("DELETE", `/api/v1/alerts/subscriptions/${x.id}`);
                  setSubs(subs.filter((y) => y.id !== x.id));
                })}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <p class="filters">
        <select
          onChange={(e) => setDraft({ ...draft, rule_id: (e.target as HTMLSelectElement).value })}
        >
          <option value="">every rule</option>
          {p.rules.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
        </select>
        <select
          onChange={(e) => setDraft({ ...draft, store_id: (e.target as HTMLSelectElement).value })}
        >
          <option value="">every store</option>
          {p.stores.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
        </select>
        <select
          value={draft.min_severity}
          onChange={(e) =>
            setDraft({ ...draft, min_severity: (e.target as HTMLSelectElement).value })}
        >
          {["low", "medium", "high", "critical"].map((v) => <option key={v} value={v}>{v}+
          </option>)}
        </select>
        <button
          type="button"
          onClick={() =>
            guard(async () => {
              const { subscription } = await send("POST", "/api/v1/alerts/subscriptions", {
                rule_id: draft.rule_id || null,
                store_id: draft.store_id || null,
                min_severity: draft.min_severity,
              });
              setSubs([...subs, subscription]);
            })}
        >
          Subscribe
        </button>
      </p>
    </>
  );
}
