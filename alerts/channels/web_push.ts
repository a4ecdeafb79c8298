/**
 * Web Push (RFC 8030/8291/8292): the message, encrypted for one browser subscription with
 * aes128gcm and signed with the stored VAPID key. web-push builds the request; we send it with
 * fetch so the attempt honours the timeout. A subscription the push service reports gone (404,
 * 410) is deleted and the delivery is not retried.
 */
import webpush from "web-push";
import type { AlertMessage } from "../message.ts";
import { vapidKeys, vapidSubject } from "../vapid.ts";
import { DeliveryError, type Sender } from "./types.ts";

/** The JSON the service worker (static/sw.js) receives. */
export function pushPayload(m: AlertMessage) {
  return {
    title: m.title,
    body: m.alerts.slice(0, 5).map((a) => a.summary).join("\n") +
      (m.alerts.length > 5 ? `\n…and ${m.alerts.length - 5} more` : ""),
    url: m.url,
    tag: `tillstream-${m.rule.id}`,
    kind: m.kind,
    severity: m.severity,
    alert_ids: m.alerts.map((a) => a.id),
  };
}

/** Sends one push message to the subscription whose id is the delivery's target. */
export const sendWebPush: Sender = async ({ rt, delivery, message, signal }) => {
  const [sub] = await rt.sql<{ id: number; endpoint: string; p256dh: string; auth: string }[]>`
    select id, endpoint, p256dh, auth from push_subscriptions where id = ${
    Number(delivery.target)
  }`;
  if (!sub) throw new DeliveryError("push subscription no longer exists", undefined, true);
  const keys = await vapidKeys(rt.sql);
  const req = webpush.generateRequestDetails(
    { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
    JSON.stringify(pushPayload(message)),
    {
      vapidDetails: { subject: vapidSubject(rt.config.TILLSTREAM_MAIL_FROM), ...keys },
      TTL: 24 * 3600,
      urgency: message.severity === "critical" ? "high" : "normal",
      contentEncoding: "aes128gcm",
    },
  );
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [k, String(v)]),
  );
  const res = await fetch(req.endpoint, {
    method: req.method,
    headers,
    body: req.body ? new Uint8Array(req.body) : undefined,
    signal,
  });
  await res.body?.cancel();
  if (res.status === 404 || res.status === 410) {
    await rt.sql`delete from push_subscriptions where id = ${sub.id}`;
    throw new DeliveryError(`push subscription gone (${res.status}); removed`, res.status, true);
  }
  if (!res.ok) throw new DeliveryError(`push service answered ${res.status}`, res.status);
  await rt.sql`update push_subscriptions set last_ok_at = now() where id = ${sub.id}`;
  return { status: res.status };
};
