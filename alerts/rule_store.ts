/** Alert rules and channels in PostgreSQL: list, read, upsert, delete. */
import type { Sql } from "../lib/db.ts";
import { type Channel, parseChannel } from "./channels/schema.ts";
import { parseRule, type StoredRule, ValidationError } from "./rules.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

function toRule(r: Row): StoredRule {
  const rule = parseRule({
    id: r.id,
    name: r.name,
    type: r.type,
    params: r.params,
    scope: r.scope,
    severity: r.severity,
    interval_s: r.interval_s,
    for_s: r.for_s,
    resolve: r.resolve,
    repeat_s: r.repeat_s,
    channels: r.channels,
    enabled: r.enabled,
  });
  return { ...rule, provisioned: r.provisioned };
}

/** Every rule, ordered by id. */
export async function listRules(sql: Sql): Promise<StoredRule[]> {
  return (await sql`select * from alert_rules order by id`).map(toRule);
}

/** One rule, or null. */
export async function getRule(sql: Sql, id: string): Promise<StoredRule | null> {
  const [r] = await sql`select * from alert_rules where id = ${id}`;
  return r ? toRule(r) : null;
}

/** Inserts or replaces a rule; its next evaluation is due at once. */
export async function saveRule(sql: Sql, rule: StoredRule): Promise<void> {
  const v = {
    id: rule.id,
    name: rule.name,
    type: rule.type,
    params: sql.json(rule.params),
    scope: sql.json(rule.scope),
    severity: rule.severity,
    interval_s: rule.interval_s,
    for_s: rule.for_s,
    resolve: sql.json(rule.resolve),
    repeat_s: rule.repeat_s,
    channels: rule.channels,
    enabled: rule.enabled,
    provisioned: rule.provisioned,
  };
  await sql`
    insert into alert_rules ${sql(v)}
    on conflict (id) do update set name = excluded.name, type = excluded.type,
      params = excluded.params, scope = excluded.scope, severity = excluded.severity,
      interval_s = excluded.interval_s, for_s = excluded.for_s, resolve = excluded.resolve,
      repeat_s = excluded.repeat_s, channels = excluded.channels, enabled = excluded.enabled,
      provisioned = excluded.provisioned, next_eval_at = '-infinity', updated_at = now()`;
}

/** Deletes a rule and its alerts; true when it existed. */
export async function deleteRule(sql: Sql, id: string): Promise<boolean> {
  return (await sql`delete from alert_rules where id = ${id}`).count > 0;
}

function toChannel(r: Row): Channel & { provisioned: boolean } {
  return {
    ...parseChannel({ id: r.id, name: r.name, type: r.type, config: r.config, enabled: r.enabled }),
    provisioned: r.provisioned,
  };
}

/** Every channel, ordered by id. */
export async function listChannels(sql: Sql): Promise<(Channel & { provisioned: boolean })[]> {
  return (await sql`select * from alert_channels order by id`).map(toChannel);
}

/** Channels by id (missing ids are left out). */
export async function channelsById(sql: Sql, ids: string[]): Promise<Map<string, Channel>> {
  if (ids.length === 0) return new Map();
  const rows = await sql`select * from alert_channels where id = any(${ids})`;
  return new Map(rows.map((r) => [r.id as string, toChannel(r)]));
}

/** Inserts or replaces a channel. */
export async function saveChannel(sql: Sql, c: Channel, provisioned = false): Promise<void> {
  await sql`
    insert into alert_channels (id, name, type, config, enabled, provisioned)
    values (${c.id}, ${c.name}, ${c.type}, ${sql.json(c.config)}, ${c.enabled}, ${provisioned})
    on conflict (id) do update set name = excluded.name, type = excluded.type,
      config = excluded.config, enabled = excluded.enabled, provisioned = excluded.provisioned,
      updated_at = now()`;
}

/** Deletes a channel; true when it existed. */
export async function deleteChannel(sql: Sql, id: string): Promise<boolean> {
  return (await sql`delete from alert_channels where id = ${id}`).count > 0;
}

/** Throws a ValidationError naming each channel of `rule` that does not exist. */
export async function checkRuleChannels(sql: Sql, rule: { channels: string[] }): Promise<void> {
  const have = await channelsById(sql, rule.channels);
  const issues = rule.channels.flatMap((c, i) =>
    have.has(c) ? [] : [{
      path: ["channels", i],
      message: `unknown channel "${c}"; create it with POST /api/v1/alerts/channels first`,
    }]
  );
  if (issues.length) throw new ValidationError(issues);
}
