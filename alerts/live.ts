/**
 * The in-app feed: alert events on the capped Redis stream `live:alerts` (keys.alertUpdates),
 * which the web tier fans out over SSE. Each entry has one field, `data`, holding JSON:
 *
 *   {"type": "alert", "event": "firing" | "pending" | "acknowledged" | "resolved" | "comment",
 *    "alert": AlertView}                      — every state change, silenced or not
 *   {"type": "notification", "message": AlertMessage}
 *                                              — a grouped notification for the browser's
 *                                                Notification API (in_app channel)
 *
 * Entries carry store_ids so the web tier can show a store manager only their stores.
 */
import type { Runtime } from "../lib/runtime.ts";
import type { AlertMessage, AlertView } from "./message.ts";

/** Entries kept in the stream (approximate trim). */
export const LIVE_ALERTS_MAXLEN = 10_000;

/** Publishes a state change of one alert. */
export async function publishAlertEvent(
  rt: Runtime,
  event: string,
  alert: AlertView,
  extra: Record<string, unknown> = {},
): Promise<string> {
  return await publishLive(rt, { type: "alert", event, alert, ...extra });
}

/** Publishes a grouped notification for in-app display. */
export async function publishNotification(rt: Runtime, message: AlertMessage): Promise<string> {
  return await publishLive(rt, { type: "notification", message });
}

/** Appends one entry (field `data`, JSON) to the capped in-app alert stream. */
async function publishLive(rt: Runtime, payload: Record<string, unknown>): Promise<string> {
  const data = JSON.stringify(payload);
  return await rt.redis.xadd(
    rt.keys.alertUpdates,
    "MAXLEN",
    "~",
    LIVE_ALERTS_MAXLEN,
    "*",
    "data",
    data,
  ) as string;
}
