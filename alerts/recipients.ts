/**
 * Who receives a notification personally: users whose subscriptions (by rule, store, region
 * and minimum severity) match, restricted to what each user may see. A store manager only ever
 * receives alerts about their own stores; alerts without a store (pipeline health) are not
 * theirs. Team channels named on the rule are separate and get every alert.
 */
import type { Sql } from "../lib/db.ts";
import type { AlertView } from "./message.ts";
import type { QuietHours } from "./quiet_hours.ts";
import { severityRank } from "./rules.ts";

/** A user as stored. */
export interface User {
  id: string;
  name: string;
  email: string | null;
  role: "admin" | "manager" | "store_manager" | "analyst";
  store_ids: string[];
}

/** A user's settings (defaults when they saved none). */
export type UserSettings = QuietHours & { email_enabled: boolean; push_enabled: boolean };

/** One recipient of a grouped notification. */
export interface Recipient {
  user: User;
  settings: UserSettings;
  alerts: AlertView[];
  channels: Set<string>;
}

/** True when `user` may see `alert`: store managers see only alerts about their own stores. */
export function maySee(
  user: Pick<User, "role" | "store_ids">,
  alert: Pick<AlertView, "store_ids">,
): boolean {
  if (user.role !== "store_manager") return true;
  return alert.store_ids.length > 0 && alert.store_ids.every((s) => user.store_ids.includes(s));
}

/** Default settings: no quiet hours, e-mail and push on. */
export const DEFAULT_SETTINGS: UserSettings = {
  timezone: "UTC",
  quiet_start: null,
  quiet_end: null,
  quiet_bypass_critical: true,
  email_enabled: true,
  push_enabled: true,
};

type SubRow = User & UserSettings & {
  sub_store: string | null;
  sub_region: string | null;
  min_severity: string;
  channels: string[];
  has_settings: boolean;
};

/** Resolves the personal recipients of `alerts` of rule `ruleId`. */
export async function resolveRecipients(
  sql: Sql,
  ruleId: string,
  alerts: AlertView[],
): Promise<Recipient[]> {
  const subs = await sql<SubRow[]>`
    select u.id, u.name, u.email, u.role, u.store_ids,
      s.user_id is not null as has_settings, s.timezone, s.quiet_start, s.quiet_end,
      s.quiet_bypass_critical, s.email_enabled, s.push_enabled,
      a.store_id as sub_store, a.region as sub_region, a.min_severity, a.channels
    from alert_subscriptions a
      join users u on u.id = a.user_id
      left join user_notification_settings s on s.user_id = u.id
    where a.rule_id is null or a.rule_id = ${ruleId}
    order by u.id, a.id`;
  if (subs.length === 0) return [];
  const storeIds = [...new Set(alerts.flatMap((a) => a.store_ids))];
  const regionRows = storeIds.length
    ? await sql<{ id: string; region: string | null }[]>`
        select id, region from stores where id = any(${storeIds})`
    : [];
  const region = new Map(regionRows.map((r) => [r.id, r.region]));
  const out = new Map<string, Recipient>();
  for (const s of subs) {
    const match = alerts.filter((a) =>
      severityRank(a.severity) >= severityRank(s.min_severity) &&
      (s.sub_store === null || a.store_ids.includes(s.sub_store)) &&
      (s.sub_region === null || a.store_ids.some((id) => region.get(id) === s.sub_region)) &&
      maySee(s, a)
    );
    if (match.length === 0) continue;
    const r = out.get(s.id) ?? {
      user: { id: s.id, name: s.name, email: s.email, role: s.role, store_ids: s.store_ids },
      settings: s.has_settings
        ? {
          timezone: s.timezone,
          quiet_start: s.quiet_start,
          quiet_end: s.quiet_end,
          quiet_bypass_critical: s.quiet_bypass_critical,
          email_enabled: s.email_enabled,
          push_enabled: s.push_enabled,
        }
        : DEFAULT_SETTINGS,
      alerts: [],
      channels: new Set<string>(),
    };
    for (const a of match) if (!r.alerts.some((x) => x.id === a.id)) r.alerts.push(a);
    for (const c of s.channels) r.channels.add(c);
    out.set(s.id, r);
  }
  for (const r of out.values()) r.alerts.sort((a, b) => a.id - b.id);
  return [...out.values()];
}
