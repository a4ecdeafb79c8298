/**
 * One evaluation pass: `evaluateAlerts(rt, now)` evaluates every enabled rule that is due,
 * moves each rule x scope key through the lifecycle (lifecycle.ts), publishes state changes
 * to the in-app feed, groups what changed into one notification per rule and kind, and sends
 * due deliveries. The scheduler's "alerts" job calls it every few seconds; tests call it with
 * a fixed clock.
 */
import { errorMessage, log } from "../lib/log.ts";
import type { Runtime } from "../lib/runtime.ts";
import { enqueueNotification } from "./dispatch.ts";
import { evaluateRule } from "./evaluate.ts";
import { type AlertState, decide } from "./lifecycle.ts";
import { publishAlertEvent } from "./live.ts";
import { type AlertView, alertView, type NotificationKind } from "./message.ts";
import { deliverDue, type DeliverySummary } from "./notifier.ts";
import type { Observation } from "./observation.ts";
import { listRules } from "./rule_store.ts";
import type { StoredRule } from "./rules.ts";

/** One state change made by a pass. */
export interface AlertEvent {
  rule: string;
  key: string;
  alertId: number;
  event: "pending" | "firing" | "resolved" | "dropped" | "flap";
}

/** What a pass did. */
export interface EvaluationResult {
  rules: number;
  events: AlertEvent[];
  notifications: number;
  errors: { rule: string; error: string }[];
  delivery: DeliverySummary | null;
}

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

const stateOf = (r: Row): AlertState => ({
  state: r.state,
  startedAt: new Date(r.started_at).getTime(),
  clearSince: r.clear_since ? new Date(r.clear_since).getTime() : null,
  flapCount: r.flap_count,
});

async function history(tx: Runtime["sql"], id: number, at: Date, event: string, msg: string) {
  await tx`insert into alert_history (alert_id, at, event, message)
           values (${id}, ${at}, ${event}, ${msg})`;
}

/** Applies one rule's observations at `now`; returns its events and the groups to notify. */
async function applyRule(rt: Runtime, rule: StoredRule, obs: Observation[], now: number) {
  const at = new Date(now);
  const events: AlertEvent[] = [];
  const groups: Record<NotificationKind, Row[]> = {
    firing: [],
    repeat: [],
    acknowledged: [],
    resolved: [],
  };
  const changed: { event: string; row: Row }[] = [];
  await rt.sql.begin(async (tx) => {
    const open = await tx<Row[]>`
      select * from alerts where rule_id = ${rule.id} and state <> 'resolved' for update`;
    const byKey = new Map(open.map((r) => [r.scope_key as string, r]));
    const obsByKey = new Map(obs.map((o) => [o.key, o]));
    for (const key of new Set([...obsByKey.keys(), ...byKey.keys()])) {
      const o = obsByKey.get(key) ?? null;
      const row = byKey.get(key);
      const d = decide(rule, row ? stateOf(row) : null, o, now);
      const ev = (alertId: number, event: AlertEvent["event"]) =>
        events.push({ rule: rule.id, key, alertId, event });
      if (d.do === "create" && o) {
        const [created] = await tx<Row[]>`
          insert into alerts (rule_id, scope_key, store_ids, state, severity, summary, value,
            details, started_at, fired_at, last_eval_at)
          values (${rule.id}, ${key}, ${o.storeIds}, ${d.state}, ${o.severity ?? rule.severity},
            ${o.summary}, ${o.value}, ${tx.json(o.details as never)}, ${at},
            ${d.state === "firing" ? at : null}, ${at})
          returning *`;
        await history(tx, created.id, at, d.state, o.summary);
        ev(created.id, d.state);
        changed.push({ event: d.state, row: created });
        if (d.state === "firing") groups.firing.push(created);
        continue;
      }
      if (!row) continue;
      if (d.do === "drop") {
        await tx`delete from alerts where id = ${row.id}`;
        ev(row.id, "dropped");
        continue;
      }
      if (d.do === "resolve") {
        const [r] = await tx<Row[]>`
          update alerts set state = 'resolved', resolved_at = ${at}, last_eval_at = ${at}
          where id = ${row.id} returning *`;
        await history(tx, r.id, at, "resolved", "condition cleared");
        ev(r.id, "resolved");
        changed.push({ event: "resolved", row: r });
        if (r.notify_count > 0) groups.resolved.push(r);
        continue;
      }
      const upd = d.do === "update" ? d : null;
      // While the condition clears (damped before resolving), the alert keeps saying what fired.
      const shown = o?.active ? o : undefined;
      const [r] = await tx<Row[]>`
        update alerts set
          state = ${upd?.state ?? row.state},
          clear_since = ${
        upd ? (upd.clearSince ? new Date(upd.clearSince) : null) : row.clear_since
      },
          flap_count = ${upd?.flapCount ?? row.flap_count},
          fired_at = ${upd?.fired ? at : row.fired_at},
          summary = ${shown?.summary ?? row.summary},
          value = ${shown ? shown.value : row.value},
          details = ${tx.json((shown?.details ?? row.details) as never)},
          severity = ${shown?.severity ?? row.severity},
          store_ids = ${shown?.storeIds ?? row.store_ids},
          last_eval_at = ${at}
        where id = ${row.id} returning *`;
      if (upd?.fired) {
        await history(tx, r.id, at, "firing", r.summary);
        ev(r.id, "firing");
        changed.push({ event: "firing", row: r });
        groups.firing.push(r);
      } else if (upd?.flapped) {
        await history(tx, r.id, at, "flap", `condition returned (flap ${r.flap_count})`);
        ev(r.id, "flap");
      } else if (
        r.state === "firing" &&
        now - new Date(r.last_notified_at ?? r.fired_at).getTime() >= rule.repeat_s * 1000
      ) {
        groups.repeat.push(r);
      }
    }
  });
  return { events, groups, changed };
}

/**
 * Evaluates due rules at `now` (epoch ms; default the runtime clock) and sends due deliveries.
 * `force` evaluates every enabled rule whatever its interval; `deliver: false` leaves the
 * deliveries queued (the notifier sends them on the next pass).
 */
export async function evaluateAlerts(
  rt: Runtime,
  now: number = rt.clock.now(),
  opts: { force?: boolean; deliver?: boolean; ruleIds?: string[] } = {},
): Promise<EvaluationResult> {
  const at = new Date(now);
  const dueIds = opts.force ? null : new Set(
    (await rt.sql<{ id: string }[]>`
      update alert_rules set next_eval_at = ${at}::timestamptz + make_interval(secs => interval_s)
      where enabled and next_eval_at <= ${at} returning id`).map((r) => r.id),
  );
  const rules = (await listRules(rt.sql)).filter((r) =>
    r.enabled && (dueIds === null || dueIds.has(r.id)) &&
    (!opts.ruleIds || opts.ruleIds.includes(r.id))
  );
  const result: EvaluationResult = {
    rules: rules.length,
    events: [],
    notifications: 0,
    errors: [],
    delivery: null,
  };
  const publicUrl = rt.config.TILLSTREAM_PUBLIC_URL;
  for (const rule of rules) {
    try {
      const obs = await evaluateRule(rt, rule, now);
      const { events, groups, changed } = await applyRule(rt, rule, obs, now);
      result.events.push(...events);
      for (const c of changed) await publishAlertEvent(rt, c.event, alertView(c.row, publicUrl));
      for (const kind of ["firing", "repeat", "resolved"] as const) {
        const views: AlertView[] = groups[kind].map((r) => alertView(r, publicUrl));
        if (views.length === 0) continue;
        const n = await enqueueNotification(rt, rule, kind, views, now);
        if (n.notificationId !== null) result.notifications++;
      }
    } catch (e) {
      result.errors.push({ rule: rule.id, error: errorMessage(e) });
      log.error("alert rule evaluation failed", { rule: rule.id, error: errorMessage(e) });
    }
  }
  if (opts.deliver !== false) result.delivery = await deliverDue(rt, now);
  return result;
}
