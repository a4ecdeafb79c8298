/**
 * PagerDuty Events API v2: one event per alert in the group (PagerDuty deduplicates by alert),
 * `trigger` when firing, `acknowledge` and `resolve` following the alert, with the dedup key
 * `tillstream:<rule>:<scope key>` so all three land on the same PagerDuty incident. The URL is
 * configurable (default https://events.pagerduty.com/v2/enqueue) so tests use loopback.
 */
import type { AlertMessage, AlertView } from "../message.ts";
import type { Sender, SendResult } from "./types.ts";
import { postJson } from "./types.ts";

const ACTION = {
  firing: "trigger",
  repeat: "trigger",
  acknowledged: "acknowledge",
  resolved: "resolve",
} as const;
const SEVERITY: Record<string, string> = {
  low: "info",
  medium: "warning",
  high: "error",
  critical: "critical",
};

/** The dedup key of an alert: stable across trigger, acknowledge and resolve. */
export const dedupKey = (a: Pick<AlertView, "rule_id" | "scope_key">) =>
  `tillstream:${a.rule_id}:${a.scope_key}`;

/** The Events API v2 body for one alert of a message. */
export function pagerDutyEvent(routingKey: string, m: AlertMessage, a: AlertView) {
  const action = ACTION[m.kind];
  const base = { routing_key: routingKey, event_action: action, dedup_key: dedupKey(a) };
  if (action !== "trigger") return base;
  return {
    ...base,
    payload: {
      summary: `${m.rule.name}: ${a.summary}`.slice(0, 1024),
      source: a.store_ids.join(",") || a.scope_key,
      severity: SEVERITY[a.severity] ?? "warning",
      timestamp: a.fired_at ?? a.started_at,
      component: a.store_ids[0] ?? a.scope_key,
      group: m.rule.id,
      class: m.rule.type,
      custom_details: { condition: m.rule.condition, value: a.value, alert_id: a.id },
    },
    client: "Tillstream",
    client_url: a.url,
    links: [{ href: a.url, text: "Alert in Tillstream" }],
  };
}

/** Sends to PagerDuty. */
export const sendPagerDuty: Sender = async ({ channel, message, signal }) => {
  const cfg = channel!.config as { url: string; routing_key: string };
  let last: SendResult = {};
  for (const a of message.alerts) {
    last = await postJson(cfg.url, pagerDutyEvent(cfg.routing_key, message, a), signal);
  }
  return last;
};
