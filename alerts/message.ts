/**
 * The channel-neutral notification message: one per grouped notification (several alerts of
 * one rule and one event kind), with a title, plain text and links. Channels format it.
 */
import { describeCondition, type Rule } from "./rules.ts";

/** Why a notification is sent. */
export type NotificationKind = "firing" | "repeat" | "acknowledged" | "resolved";

/** An alert as channels and the in-app feed see it. */
export interface AlertView {
  id: number;
  rule_id: string;
  scope_key: string;
  store_ids: string[];
  state: string;
  severity: string;
  summary: string;
  value: number | null;
  started_at: string;
  fired_at: string | null;
  acked_by: string | null;
  acked_at: string | null;
  resolved_at: string | null;
  resolved_by: string | null;
  flap_count: number;
  url: string;
}

/** The grouped message. */
export interface AlertMessage {
  kind: NotificationKind;
  title: string;
  text: string;
  url: string;
  severity: string;
  rule: { id: string; name: string; type: string; condition: string };
  alerts: AlertView[];
  at: string;
}

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;
const iso = (d: Date | null | undefined) => d ? new Date(d).toISOString() : null;

/** An alerts row as an {@link AlertView}, linking to `${publicUrl}/alerts/<id>`. */
export function alertView(row: Row, publicUrl: string): AlertView {
  return {
    id: Number(row.id),
    rule_id: row.rule_id,
    scope_key: row.scope_key,
    store_ids: row.store_ids ?? [],
    state: row.state,
    severity: row.severity,
    summary: row.summary,
    value: row.value ?? null,
    started_at: iso(row.started_at)!,
    fired_at: iso(row.fired_at),
    acked_by: row.acked_by ?? null,
    acked_at: iso(row.acked_at),
    resolved_at: iso(row.resolved_at),
    resolved_by: row.resolved_by ?? null,
    flap_count: row.flap_count ?? 0,
    url: `${publicUrl.replace(/\/$/, "")}/alerts/${row.id}`,
  };
}

const SEV_ORDER = ["low", "medium", "high", "critical"];
const LABEL: Record<NotificationKind, string> = {
  firing: "FIRING",
  repeat: "STILL FIRING",
  acknowledged: "ACKNOWLEDGED",
  resolved: "RESOLVED",
};

/** Builds the grouped message for `alerts` of `rule`. */
export function buildMessage(
  rule: Rule,
  kind: NotificationKind,
  alerts: AlertView[],
  publicUrl: string,
  at: number,
): AlertMessage {
  const severity = alerts.map((a) => a.severity).reduce(
    (a, b) => SEV_ORDER.indexOf(b) > SEV_ORDER.indexOf(a) ? b : a,
    rule.severity,
  );
  const where = alerts.length === 1
    ? alerts[0].summary.split(":")[0]
    : `${alerts.length} ${alerts.every((a) => a.store_ids.length === 1) ? "stores" : "alerts"}`;
  const title = `[${LABEL[kind]}] ${rule.name} — ${where}`;
  const lines = alerts.map((a) => `• ${a.summary}${kind === "resolved" ? " (resolved)" : ""}`);
  const url = alerts.length === 1
    ? alerts[0].url
    : `${publicUrl.replace(/\/$/, "")}/alerts?rule=${encodeURIComponent(rule.id)}`;
  return {
    kind,
    title,
    text: `${describeCondition(rule)}\n${lines.join("\n")}\n${url}`,
    url,
    severity,
    rule: { id: rule.id, name: rule.name, type: rule.type, condition: describeCondition(rule) },
    alerts,
    at: new Date(at).toISOString(),
  };
}

/** The same message restricted to some alerts (a store manager's share), or null if none. */
export function restrictMessage(
  m: AlertMessage,
  keep: (a: AlertView) => boolean,
  rule: Rule,
  publicUrl: string,
): AlertMessage | null {
  const alerts = m.alerts.filter(keep);
  if (alerts.length === 0) return null;
  if (alerts.length === m.alerts.length) return m;
  return buildMessage(rule, m.kind, alerts, publicUrl, Date.parse(m.at));
}
