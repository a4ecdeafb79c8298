/**
 * What people do to alerts: acknowledge, resolve by hand, comment; and reading alerts with their
 * history and deliveries. Each change is recorded in alert_history, published to the in-app
 * feed, and (ack, resolve) notified: PagerDuty follows the alert's state.
 */
import type { Runtime } from "../lib/runtime.ts";
import { enqueueNotification } from "./dispatch.ts";
import { publishAlertEvent } from "./live.ts";
import { type AlertView, alertView } from "./message.ts";
import { getRule } from "./rule_store.ts";

/** A request that cannot be done as asked; `status` is the HTTP status to answer with. */
export class AlertActionError extends Error {
  override name = "AlertActionError";
  constructor(message: string, public status = 409) {
    super(message);
  }
}

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

async function change(
  rt: Runtime,
  id: number,
  event: "acknowledged" | "resolved",
  actor: string,
  note: string | undefined,
  now: number,
): Promise<AlertView> {
  const at = new Date(now);
  const row = await rt.sql.begin(async (tx) => {
    const [cur] = await tx<Row[]>`select * from alerts where id = ${id} for update`;
    if (!cur) throw new AlertActionError(`alert ${id} does not exist`, 404);
    if (cur.state === "resolved") {
      throw new AlertActionError(`alert ${id} is already resolved`);
    }
    if (event === "acknowledged" && cur.state !== "firing") {
      throw new AlertActionError(
        `alert ${id} is ${cur.state}; only a firing alert can be acknowledged`,
      );
    }
    const [r] = event === "acknowledged"
      ? await tx<Row[]>`update alerts set state = 'acknowledged', acked_by = ${actor},
          acked_at = ${at} where id = ${id} returning *`
      : await tx<Row[]>`update alerts set state = 'resolved', resolved_by = ${actor},
          resolved_at = ${at} where id = ${id} returning *`;
    await tx`insert into alert_history (alert_id, at, event, actor, message)
             values (${id}, ${at}, ${event}, ${actor}, ${note ?? null})`;
    return r;
  });
  const view = alertView(row, rt.config.TILLSTREAM_PUBLIC_URL);
  await publishAlertEvent(rt, event, view, { by: actor });
  const rule = await getRule(rt.sql, row.rule_id);
  if (rule && row.notify_count > 0) await enqueueNotification(rt, rule, event, [view], now);
  return view;
}

/** Acknowledges a firing alert: no more repeats; PagerDuty is told. */
export function ackAlert(rt: Runtime, id: number, by: string, now = rt.clock.now()) {
  return change(rt, id, "acknowledged", by, undefined, now);
}

/** Resolves an alert by hand. If the condition still holds, the next pass opens a new one. */
export function resolveAlert(
  rt: Runtime,
  id: number,
  by: string,
  note?: string,
  now = rt.clock.now(),
) {
  return change(rt, id, "resolved", by, note, now);
}

/** Adds a comment to an alert's history. */
export async function commentAlert(
  rt: Runtime,
  id: number,
  by: string,
  text: string,
  now = rt.clock.now(),
): Promise<{ id: number; at: string }> {
  const [a] = await rt.sql<Row[]>`select * from alerts where id = ${id}`;
  if (!a) throw new AlertActionError(`alert ${id} does not exist`, 404);
  const [h] = await rt.sql<{ id: number }[]>`
    insert into alert_history (alert_id, at, event, actor, message)
    values (${id}, ${new Date(now)}, 'comment', ${by}, ${text}) returning id`;
  await publishAlertEvent(rt, "comment", alertView(a, rt.config.TILLSTREAM_PUBLIC_URL), {
    by,
    text,
  });
  return { id: h.id, at: new Date(now).toISOString() };
}

/** Filters for {@link listAlerts}. */
export interface AlertFilter {
  state?: "open" | "resolved" | "all" | "pending" | "firing" | "acknowledged";
  rule?: string;
  store?: string;
  /** Only alerts about these stores (a store manager's view); null: all. */
  visibleStores?: string[] | null;
  limit?: number;
}

/** Alerts, newest first. */
export async function listAlerts(rt: Runtime, f: AlertFilter = {}): Promise<AlertView[]> {
  const state = f.state ?? "open";
  const states = state === "open"
    ? ["pending", "firing", "acknowledged"]
    : state === "all"
    ? ["pending", "firing", "acknowledged", "resolved"]
    : [state];
  const visible = f.visibleStores ?? null;
  const rows = await rt.sql<Row[]>`
    select * from alerts
    where state = any(${states})
      and (${f.rule ?? null}::text is null or rule_id = ${f.rule ?? null})
      and (${f.store ?? null}::text is null or ${f.store ?? null} = any(store_ids))
      and (${visible}::text[] is null or (store_ids <@ ${visible}::text[] and cardinality(store_ids) > 0))
    order by coalesce(fired_at, started_at) desc, id desc
    limit ${Math.min(f.limit ?? 200, 1000)}`;
  return rows.map((r) => alertView(r, rt.config.TILLSTREAM_PUBLIC_URL));
}

/** One alert with its details, full history and deliveries (with attempts), or null. */
export async function getAlert(rt: Runtime, id: number) {
  const [a] = await rt.sql<Row[]>`select * from alerts where id = ${id}`;
  if (!a) return null;
  const history = await rt.sql`
    select at, event, actor, message, details from alert_history
    where alert_id = ${id} order by id`;
  const deliveries = await rt.sql`
    select d.id, n.kind, d.channel_type, d.channel_id, d.user_id, d.target, d.status, d.reason,
      d.attempts, d.delivered_at,
      coalesce((select json_agg(json_build_object('attempt', t.attempt, 'at', t.started_at,
        'ok', t.ok, 'status', t.status_code, 'error', t.error, 'ms', t.duration_ms)
        order by t.id) from alert_delivery_attempts t where t.delivery_id = d.id), '[]')
        as attempt_log
    from alert_deliveries d join alert_notifications n on n.id = d.notification_id
    where ${id} = any(n.alert_ids) order by d.id`;
  return {
    ...alertView(a, rt.config.TILLSTREAM_PUBLIC_URL),
    details: a.details,
    clear_since: a.clear_since,
    history,
    deliveries,
  };
}
