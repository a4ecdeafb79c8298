/**
 * Per-user alert configuration: notification settings (quiet hours, personal channels on/off),
 * subscriptions (which alerts reach me), Web Push devices, and the users table itself until
 * accounts exist. Validation lives here so the API routes stay thin.
 */
import { z } from "zod";
import type { Sql } from "../lib/db.ts";
import { DEFAULT_SETTINGS, type User, type UserSettings } from "./recipients.ts";
import { SEVERITIES, toIssues, ValidationError } from "./rules.ts";

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'use HH:MM, e.g. "22:00"' });
const timezone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, { message: 'use an IANA time zone, e.g. "Europe/Paris"' });

const settingsSchema = z.object({
  timezone: timezone.default("UTC"),
  quiet_start: hhmm.nullable().default(null),
  quiet_end: hhmm.nullable().default(null),
  quiet_bypass_critical: z.boolean().default(true),
  email_enabled: z.boolean().default(true),
  push_enabled: z.boolean().default(true),
}).refine((s) => (s.quiet_start === null) === (s.quiet_end === null), {
  message: "set both quiet_start and quiet_end, or neither",
  path: ["quiet_end"],
});

const subscriptionSchema = z.object({
  rule_id: z.string().nullable().default(null),
  store_id: z.string().nullable().default(null),
  region: z.string().nullable().default(null),
  min_severity: z.enum(SEVERITIES).default("low"),
  channels: z.array(z.enum(["email", "web_push"])).min(1).default(["email", "web_push"]),
});

const userSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, { message: 'e.g. "ana"' }),
  name: z.string().min(1).max(200),
  email: z.string().email().nullable().default(null),
  role: z.enum(["admin", "manager", "store_manager", "analyst"]).default("manager"),
  store_ids: z.array(z.string()).default([]),
}).refine((u) => u.role !== "store_manager" || u.store_ids.length > 0, {
  message: 'a store manager needs store_ids, e.g. ["S01"]',
  path: ["store_ids"],
});

const pushSchema = z.object({
  endpoint: z.string().url().refine((u) => /^https?:/.test(u), { message: "an http(s) URL" }),
  keys: z.object({ p256dh: z.string().min(16), auth: z.string().min(8) }),
});

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new ValidationError(toIssues(r.error));
  return r.data;
}

/** A user's settings (defaults when none saved). */
export async function getSettings(sql: Sql, userId: string): Promise<UserSettings> {
  const [s] = await sql<UserSettings[]>`
    select timezone, quiet_start, quiet_end, quiet_bypass_critical, email_enabled, push_enabled
    from user_notification_settings where user_id = ${userId}`;
  return s ?? DEFAULT_SETTINGS;
}

/** Validates and saves a user's settings. */
export async function saveSettings(sql: Sql, userId: string, input: unknown) {
  const s = parse(settingsSchema, input);
  await sql`insert into user_notification_settings ${sql({ user_id: userId, ...s })}
    on conflict (user_id) do update set timezone = excluded.timezone,
      quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
      quiet_bypass_critical = excluded.quiet_bypass_critical,
      email_enabled = excluded.email_enabled, push_enabled = excluded.push_enabled,
      updated_at = now()`;
  return s;
}

/** A user's subscriptions. */
export async function listSubscriptions(sql: Sql, userId: string) {
  return await sql`select id, rule_id, store_id, region, min_severity, channels, created_at
                   from alert_subscriptions where user_id = ${userId} order by id`;
}

/** Adds a subscription for a user. A store manager may only subscribe to their stores. */
export async function addSubscription(sql: Sql, user: User, input: unknown) {
  const s = parse(subscriptionSchema, input);
  if (user.role === "store_manager" && s.store_id && !user.store_ids.includes(s.store_id)) {
    throw new ValidationError([{
      path: ["store_id"],
      message: `store ${s.store_id} is not one of yours (${user.store_ids.join(", ")})`,
    }]);
  }
  const [row] = await sql`insert into alert_subscriptions ${sql({ user_id: user.id, ...s })}
                          returning id, rule_id, store_id, region, min_severity, channels`;
  return row;
}

/** Deletes one of a user's subscriptions; true when it existed. */
export async function deleteSubscription(sql: Sql, userId: string, id: number) {
  return (await sql`delete from alert_subscriptions where id = ${id} and user_id = ${userId}`)
    .count > 0;
}

/** Stores a browser's push subscription for a user (one row per endpoint). */
export async function savePushSubscription(
  sql: Sql,
  userId: string,
  input: unknown,
  userAgent: string | null,
) {
  const p = parse(pushSchema, input);
  const [row] = await sql<{ id: number }[]>`
    insert into push_subscriptions (user_id, endpoint, p256dh, auth, user_agent)
    values (${userId}, ${p.endpoint}, ${p.keys.p256dh}, ${p.keys.auth}, ${userAgent})
    on conflict (endpoint) do update set user_id = excluded.user_id, p256dh = excluded.p256dh,
      auth = excluded.auth, user_agent = excluded.user_agent
    returning id`;
  return { id: row.id, endpoint: p.endpoint };
}

/** Removes a push subscription by endpoint; true when it existed. */
export async function deletePushSubscription(sql: Sql, userId: string, endpoint: string) {
  return (await sql`delete from push_subscriptions
                    where endpoint = ${endpoint} and user_id = ${userId}`).count > 0;
}

/** Every user. */
export async function listUsers(sql: Sql): Promise<User[]> {
  return await sql<User[]>`select id, name, email, role, store_ids from users order by id`;
}

/** Creates or updates a user. */
export async function saveUser(sql: Sql, input: unknown): Promise<User> {
  const u = parse(userSchema, input);
  await sql`insert into users ${sql(u)} on conflict (id) do update set name = excluded.name,
    email = excluded.email, role = excluded.role, store_ids = excluded.store_ids`;
  return u;
}
