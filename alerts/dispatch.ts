/**
 * Turns a group of alerts (one rule, one event kind, one evaluation pass) into one notification
 * and its deliveries: silenced alerts are taken out (and the silence noted in their history);
 * the rule's team channels get the whole group; subscribed users get their share, restricted
 * to the stores they may see, unless their quiet hours hold it back (recorded as suppressed);
 * and the in-app feed always gets it.
 */
import type { Runtime } from "../lib/runtime.ts";
import { channelsById } from "./rule_store.ts";
import { type Channel, DEFAULT_RETRY, retryOf } from "./channels/schema.ts";
import { type AlertView, buildMessage, type NotificationKind } from "./message.ts";
import { publishNotification } from "./live.ts";
import { quietReason } from "./quiet_hours.ts";
import { resolveRecipients } from "./recipients.ts";
import type { Rule } from "./rules.ts";
import { activeSilences, silencing } from "./silences.ts";

/** Channel types told about acknowledgements (PagerDuty mirrors the state; chat would be noise). */
const ACK_TYPES = new Set(["pagerduty", "in_app"]);

interface NewDelivery {
  queue: string;
  channel_type: string;
  channel_id: string | null;
  user_id: string | null;
  target: string;
  payload: unknown;
  status: "queued" | "suppressed";
  reason: string | null;
  max_attempts: number;
}

/** What {@link enqueueNotification} did. */
export interface Enqueued {
  notificationId: number | null;
  deliveries: number;
  silenced: number[];
}

/** Creates the notification for `alerts` and queues its deliveries (sent by the notifier). */
export async function enqueueNotification(
  rt: Runtime,
  rule: Rule,
  kind: NotificationKind,
  alerts: AlertView[],
  now: number,
): Promise<Enqueued> {
  const silences = await activeSilences(rt.sql, now);
  const silenced: number[] = [];
  const loud = alerts.filter((a) => {
    const s = silencing(silences, rule.id, a.store_ids);
    if (s) silenced.push(a.id);
    return !s;
  });
  if (silenced.length) {
    const at = new Date(now);
    for (const id of silenced) {
      await rt.sql`insert into alert_history (alert_id, at, event, message)
                   values (${id}, ${at}, 'silenced', ${`${kind} notification silenced`})`;
    }
  }
  if (loud.length === 0) return { notificationId: null, deliveries: 0, silenced };
  const publicUrl = rt.config.TILLSTREAM_PUBLIC_URL;
  const message = buildMessage(rule, kind, loud, publicUrl, now);
  const out: NewDelivery[] = [];
  const channels = await channelsById(rt.sql, rule.channels);
  for (const id of rule.channels) {
    const c: Channel | undefined = channels.get(id);
    // In-app is always on (published below); naming it on a rule changes nothing.
    if (!c || !c.enabled || c.type === "in_app") continue;
    if (kind === "acknowledged" && !ACK_TYPES.has(c.type)) continue;
    const target = c.type === "email"
      ? (c.config as { to: string[] }).to.join(", ")
      : (c.config as { url?: string }).url ?? c.type;
    out.push({
      queue: `${c.type}:${c.id}`,
      channel_type: c.type,
      channel_id: c.id,
      user_id: null,
      target,
      payload: null,
      status: "queued",
      reason: null,
      max_attempts: retryOf(c).max_attempts,
    });
  }
  if (kind !== "acknowledged") {
    for (const r of await resolveRecipients(rt.sql, rule.id, loud)) {
      const own = r.alerts.length === loud.length
        ? null
        : buildMessage(rule, kind, r.alerts, publicUrl, now);
      const severity = (own ?? message).severity;
      const quiet = quietReason(r.settings, severity, now);
      const personal = (type: string, target: string): NewDelivery => ({
        queue: type,
        channel_type: type,
        channel_id: null,
        user_id: r.user.id,
        target,
        payload: own,
        status: quiet ? "suppressed" : "queued",
        reason: quiet,
        max_attempts: DEFAULT_RETRY.max_attempts,
      });
      if (r.channels.has("email") && r.settings.email_enabled && r.user.email) {
        out.push(personal("email", r.user.email));
      }
      if (r.channels.has("web_push") && r.settings.push_enabled) {
        const subs = await rt.sql<{ id: number }[]>`
          select id from push_subscriptions where user_id = ${r.user.id} order by id`;
        for (const s of subs) out.push(personal("web_push", String(s.id)));
      }
    }
  }
  // An acknowledgement only matters to channels that mirror state (PagerDuty).
  if (kind === "acknowledged" && out.length === 0) {
    return { notificationId: null, deliveries: 0, silenced };
  }
  const at = new Date(now);
  const result = await rt.sql.begin(async (tx) => {
    const [n] = await tx<{ id: number }[]>`
      insert into alert_notifications (rule_id, kind, alert_ids, message, created_at)
      values (${rule.id}, ${kind}, ${loud.map((a) => a.id)}, ${tx.json(message as never)}, ${at})
      returning id`;
    for (const d of out) {
      await tx`insert into alert_deliveries (notification_id, queue, channel_type, channel_id,
                 user_id, target, payload, status, reason, max_attempts, next_attempt_at,
                 created_at)
               values (${n.id}, ${d.queue}, ${d.channel_type}, ${d.channel_id}, ${d.user_id},
                 ${d.target}, ${d.payload ? tx.json(d.payload as never) : null}, ${d.status},
                 ${d.reason}, ${d.max_attempts}, ${at}, ${at})`;
    }
    for (const a of loud) {
      await tx`insert into alert_history (alert_id, at, event, message, details)
               values (${a.id}, ${at}, 'notified', ${`${kind}: ${out.length} deliveries`},
                       ${tx.json({ notification_id: n.id, kind })})`;
    }
    if (kind === "firing" || kind === "repeat") {
      await tx`update alerts set last_notified_at = ${at}, notify_count = notify_count + 1
               where id = any(${loud.map((a) => a.id)})`;
    }
    return { notificationId: n.id, deliveries: out.length, silenced };
  });
  // The in-app channel: every notification that is not silenced reaches the dashboards, which
  // show it with the browser's Notification API where the user allowed it.
  if (kind !== "acknowledged") await publishNotification(rt, message);
  return result;
}
