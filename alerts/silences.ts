/**
 * Silences: time-boxed mutes by rule, by store, or both. A silenced alert keeps its lifecycle
 * (it still fires and resolves, visibly in the app) but sends no notifications while muted.
 */
import type { Sql } from "../lib/db.ts";

/** A silence as stored. */
export interface Silence {
  id: number;
  rule_id: string | null;
  store_id: string | null;
  starts_at: Date;
  ends_at: Date;
  reason: string;
  created_by: string;
}

/** Silences active at `now`. */
export async function activeSilences(sql: Sql, now: number): Promise<Silence[]> {
  return await sql<Silence[]>`
    select * from alert_silences where starts_at <= ${new Date(now)} and ends_at > ${new Date(now)}
    order by id`;
}

/** The silence muting an alert of `ruleId` over `storeIds`, or undefined. */
export function silencing(
  silences: Silence[],
  ruleId: string,
  storeIds: string[],
): Silence | undefined {
  return silences.find((s) =>
    (s.rule_id === null || s.rule_id === ruleId) &&
    (s.store_id === null || storeIds.includes(s.store_id))
  );
}

/** Creates a silence; returns it. */
export async function createSilence(
  sql: Sql,
  s: Omit<Silence, "id">,
): Promise<Silence> {
  const [row] = await sql<Silence[]>`
    insert into alert_silences (rule_id, store_id, starts_at, ends_at, reason, created_by)
    values (${s.rule_id}, ${s.store_id}, ${s.starts_at}, ${s.ends_at}, ${s.reason},
            ${s.created_by})
    returning *`;
  return row;
}

/** Silences that have not ended by `now`, newest first. */
export async function listSilences(sql: Sql, now: number): Promise<Silence[]> {
  return await sql<Silence[]>`
    select * from alert_silences where ends_at > ${new Date(now)} order by starts_at desc, id`;
}

/** Ends a silence now (keeps it for the record); true when it was still running. */
export async function expireSilence(sql: Sql, id: number, now: number): Promise<boolean> {
  const r = await sql`
    update alert_silences set ends_at = greatest(starts_at + interval '1 millisecond', ${new Date(
    now,
  )}::timestamptz)
    where id = ${id} and ends_at > ${new Date(now)}`;
  return r.count > 0;
}
