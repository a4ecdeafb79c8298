/**
 * Pipeline health rules: consumer-group lag in seconds (XINFO GROUPS + the oldest entry not yet
 * acknowledged), dead letters piling up, and stores silent for N minutes while open.
 */
import { pipelineUnsettled } from "../scheduler/settled.ts";
import { FAMILIES, WORKER_GROUP } from "../lib/keys.ts";
import type { Runtime } from "../lib/runtime.ts";
import type { Observation } from "./observation.ts";
import { openThroughout } from "./opening_hours.ts";
import type { Rule } from "./rules.ts";
import { storesInScope } from "./scope.ts";

type PipelineRule = Extract<Rule, { type: "pipeline" }>;

const idMs = (id: string | null | undefined) => id ? Number(id.split("-")[0]) : NaN;

function nextId(id: string): string {
  const [ms, seq] = id.split("-").map(Number);
  return `${ms}-${seq + 1}`;
}

/**
 * Age in ms of the oldest entry of `stream` that `group` has not finished: the first pending
 * (delivered, not acked) entry or the first never delivered. 0 when caught up; null when the
 * stream or group does not exist.
 */
export async function groupLagMs(
  rt: Runtime,
  stream: string,
  group: string,
  now: number,
): Promise<number | null> {
  let groups: unknown[][];
  try {
    groups = await rt.redis.call("XINFO", "GROUPS", stream) as unknown[][];
  } catch {
    return null; // no such stream yet
  }
  const info = groups.map((g) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < g.length; i += 2) o[String(g[i])] = g[i + 1];
    return o;
  }).find((g) => g.name === group);
  if (!info) return null;
  const oldest: number[] = [];
  if (Number(info.pending) > 0) {
    const [, minId] = await rt.redis.call("XPENDING", stream, group) as [number, string];
    oldest.push(idMs(minId));
  }
  const last = String(info["last-delivered-id"] ?? "0-0");
  const next = await rt.redis.xrange(stream, nextId(last), "+", "COUNT", 1);
  if (next.length) oldest.push(idMs(next[0][0]));
  const first = Math.min(...oldest.filter(Number.isFinite));
  return Number.isFinite(first) ? Math.max(0, now - first) : 0;
}

async function lag(rt: Runtime, rule: PipelineRule, now: number): Promise<Observation[]> {
  const limit = rule.params.seconds! * 1000;
  const out: Observation[] = [];
  for (const family of FAMILIES) {
    for (const stream of rt.keys.streams(family, rt.partitions)) {
      const ms = await groupLagMs(rt, stream, WORKER_GROUP, now);
      if (ms === null) continue;
      const name = stream.slice(rt.keys.prefix.length);
      out.push({
        key: `stream:${name}`,
        storeIds: [],
        active: ms > limit,
        clear: ms <= limit,
        value: ms / 1000,
        summary: `${name}: workers ${(ms / 1000).toFixed(0)} s behind`,
        details: { stream: name, lag_s: ms / 1000 },
      });
    }
  }
  return out;
}

async function dlq(rt: Runtime, rule: PipelineRule, now: number): Promise<Observation[]> {
  const minNew = rule.params.min_new!;
  const windowMs = (rule.params.window_min ?? 10) * 60_000;
  const recent = await rt.redis.xrange(
    rt.keys.dlq,
    String(now - windowMs),
    String(now),
    "COUNT",
    minNew,
  );
  const total = await rt.redis.xlen(rt.keys.dlq);
  const n = recent.length;
  return [{
    key: "dlq",
    storeIds: [],
    active: n >= minNew,
    clear: n < minNew,
    value: n,
    summary: `${n >= minNew ? `${minNew}+` : n} dead letters in ${
      windowMs / 60_000
    } min (${total} in the dead-letter stream)`,
    details: { recent: n, total },
  }];
}

async function silent(rt: Runtime, rule: PipelineRule, now: number): Promise<Observation[]> {
  const minutes = rule.params.minutes!;
  const from = now - minutes * 60_000;
  const stores = (await storesInScope(rt.sql, rule.scope)).filter((s) =>
    openThroughout(s.opening_hours, s.timezone, from, now)
  );
  if (stores.length === 0) return [];
  // While the workers are behind (a backfill, a backlog), a store's receipts may be waiting in
  // its stream: "no sales" cannot be told from "not processed yet", so hold every alert as is.
  const unsettled = await pipelineUnsettled(rt);
  if (unsettled) {
    return stores.map((s) => ({
      key: s.id,
      storeIds: [s.id],
      active: false,
      clear: false,
      value: null,
      summary: `${s.name}: unknown while the ${unsettled}`,
      details: { store_name: s.name, unsettled },
    }));
  }
  const seen = await rt.sql<{ store_id: string; last: Date }[]>`
    select store_id, max(bucket) as last from rollup_minute
    where category = '*' and store_id = any(${stores.map((s) => s.id)})
      and bucket >= ${new Date(from - 60_000)} and bucket <= ${new Date(now)}
    group by store_id`;
  const last = new Map(seen.map((r) => [r.store_id, r.last.getTime()]));
  return stores.map((s) => {
    const l = last.get(s.id);
    // The minute bucket of the last receipt covers up to a minute after its start.
    const quiet = l === undefined || l + 60_000 < from;
    return {
      key: s.id,
      storeIds: [s.id],
      active: quiet,
      clear: !quiet,
      value: l === undefined ? null : (now - l) / 60_000,
      summary: quiet ? `${s.name}: no sales for ${minutes}+ min while open` : `${s.name}: selling`,
      details: { store_name: s.name, last_bucket: l ? new Date(l).toISOString() : null },
    };
  });
}

/** Evaluates a pipeline health rule at `now`. */
export function evaluatePipeline(
  rt: Runtime,
  rule: PipelineRule,
  now: number,
): Promise<Observation[]> {
  switch (rule.params.check) {
    case "lag_above":
      return lag(rt, rule, now);
    case "dlq_growing":
      return dlq(rt, rule, now);
    case "store_silent":
      return silent(rt, rule, now);
  }
}
