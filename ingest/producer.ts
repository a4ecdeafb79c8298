/**
 * The one way events enter Redis: normalised events are XADDed to their family's partitioned
 * stream, one script call per stream per batch, pipelined. Every connector (HTTP, CSV import, simulator) goes through `publish`, so
 * partitioning and encoding stay identical whatever the source.
 *
 * Partition: hash(store_id) mod P, so one store's events stay in order on one stream; customer
 * events without a store are partitioned by customer id.
 */
import { encodeEvent, familyOf, type PosEvent } from "../lib/events.ts";
import { FAMILIES, type Family, partitionOf, WORKER_GROUP } from "../lib/keys.ts";
import type { Runtime } from "../lib/runtime.ts";

/** Entries sent per pipeline round trip: big enough to amortise, small enough to stay flat. */
const CHUNK = 2_000;

/**
 * XADDs every ARGV to KEYS[1], returning the ids. One script call per stream replaces one
 * command per event: measured here, ~1.5-2x the events/s of a pipeline of XADDs, most of the
 * gain being client-side command overhead. One key per call, so it works on Redis Cluster.
 */
const XADD_MANY = `local ids = {}
for i = 1, #ARGV do ids[i] = redis.call('XADD', KEYS[1], '*', 'e', ARGV[i]) end
return ids`;

type Pipe = ReturnType<Runtime["redis"]["pipeline"]>;
interface XaddMany {
  xaddmany(stream: string, ...payloads: string[]): unknown;
}
const scripted = new WeakSet<object>();

function withScript(redis: Runtime["redis"]) {
  if (!scripted.has(redis)) {
    redis.defineCommand("xaddmany", { numberOfKeys: 1, lua: XADD_MANY });
    scripted.add(redis);
  }
}

/** The stream an event is written to. */
export function streamOf(rt: Pick<Runtime, "keys" | "partitions">, e: PosEvent): string {
  const key = e.store_id ?? (e.type === "customer" ? e.customer_id : "");
  return rt.keys.stream(familyOf(e), partitionOf(key, rt.partitions));
}

interface Pending {
  rt: Runtime;
  events: PosEvent[];
  resolve(ids: string[]): void;
  reject(e: Error): void;
}
interface Queue {
  pending: Pending[];
  running: boolean;
}
const queues = new WeakMap<object, Queue>();

/**
 * XADDs each event (field `e` = encodeEvent) to its stream and returns the entry ids in input
 * order. Rejects if Redis refuses any of its entries (nothing is retried here: a caller that
 * resends is safe because workers deduplicate by transaction id / event id).
 *
 * Concurrent calls on one Redis client are coalesced: one pipeline is in flight at a time and
 * the calls that arrive meanwhile share the next round trip (up to CHUNK entries).
 */
export async function publish(rt: Runtime, events: PosEvent[]): Promise<string[]> {
  if (events.length <= CHUNK) return await enqueue(rt, events);
  // A large batch (a CSV backfill) goes in CHUNK-sized round trips, so memory stays flat.
  const ids: string[] = [];
  for (let i = 0; i < events.length; i += CHUNK) {
    for (const id of await enqueue(rt, events.slice(i, i + CHUNK))) ids.push(id);
  }
  return ids;
}

function enqueue(rt: Runtime, events: PosEvent[]): Promise<string[]> {
  if (events.length === 0) return Promise.resolve([]);
  let q = queues.get(rt.redis);
  if (!q) queues.set(rt.redis, q = { pending: [], running: false });
  const queue = q;
  return new Promise((resolve, reject) => {
    queue.pending.push({ rt, events, resolve, reject });
    if (!queue.running) void drain(rt, queue);
  });
}

async function drain(rt: Runtime, q: Queue): Promise<void> {
  q.running = true;
  withScript(rt.redis);
  try {
    while (q.pending.length) {
      const batch: Pending[] = [];
      let size = 0;
      while (q.pending.length && (size === 0 || size + q.pending[0].events.length <= CHUNK)) {
        const p = q.pending.shift()!;
        batch.push(p);
        size += p.events.length;
      }
      await sendBatch(rt, batch);
    }
  } finally {
    q.running = false;
  }
}

/**
 * Sends one coalesced batch: one script call per stream, each event's id put back in its
 * caller's slot. A caller is rejected only if one of its own streams failed; nothing thrown
 * here can leave a caller waiting.
 */
async function sendBatch(rt: Runtime, batch: Pending[]): Promise<void> {
  const ids: string[][] = batch.map((p) => new Array(p.events.length));
  const failed = new Map<number, string>(); // caller index -> reason
  try {
    const groups = new Map<string, { payloads: string[]; slots: number[] }>();
    batch.forEach((p, b) =>
      p.events.forEach((e, i) => {
        const stream = streamOf(p.rt, e);
        let g = groups.get(stream);
        if (!g) groups.set(stream, g = { payloads: [], slots: [] });
        g.payloads.push(encodeEvent(e));
        g.slots.push(b, i);
      })
    );
    const pipe = rt.redis.pipeline() as unknown as XaddMany & { exec: Pipe["exec"] };
    for (const [stream, g] of groups) pipe.xaddmany(stream, ...g.payloads);
    const results = await pipe.exec();
    if (!results) throw new Error("Redis pipeline was discarded (connection lost)");
    [...groups.values()].forEach((g, k) => {
      const [err, reply] = results[k];
      const got = reply as string[] | null;
      for (let j = 0; j < g.slots.length / 2; j++) {
        const b = g.slots[2 * j];
        if (err || !got) failed.set(b, err?.message ?? "no reply");
        else ids[b][g.slots[2 * j + 1]] = got[j];
      }
    });
  } catch (e) {
    batch.forEach((_, b) => failed.set(b, (e as Error).message));
  }
  batch.forEach((p, b) => {
    const reason = failed.get(b);
    // Some of its entries may be in Redis already: harmless, a resend is deduplicated.
    if (reason !== undefined) {
      p.reject(new Error(`Redis did not take the events (${reason}); resend the batch`));
    } else p.resolve(ids[b]);
  });
}

/** A flat [name, value, ...] reply as an object. */
function flat(reply: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(reply)) return out;
  for (let i = 0; i + 1 < reply.length; i += 2) out[String(reply[i])] = reply[i + 1];
  return out;
}

/** The named group in an XINFO GROUPS reply (a list of flat arrays), or null. */
function groupInfo(reply: unknown, group: string): Record<string, unknown> | null {
  if (!Array.isArray(reply)) return null;
  return reply.map(flat).find((g) => g.name === group) ?? null;
}

/** Unfinished entries of each stream, in one pipelined round trip (see {@link backlog}). */
async function streamBacklogs(rt: Runtime, streams: string[]): Promise<number[]> {
  const pipe = rt.redis.pipeline();
  for (const s of streams) {
    pipe.xlen(s);
    pipe.call("XINFO", "GROUPS", s);
  }
  const results = (await pipe.exec()) ?? [];
  const out: number[] = [];
  for (let i = 0; i < streams.length; i++) {
    const [lenErr, len] = results[2 * i] ?? [];
    const [infoErr, reply] = results[2 * i + 1] ?? [];
    if (lenErr) throw lenErr;
    const length = Number(len ?? 0);
    // A missing stream makes XINFO fail with "no such key": nothing to count.
    const info = infoErr ? null : groupInfo(reply, WORKER_GROUP);
    if (!info) {
      out.push(length);
      continue;
    }
    const pending = Number(info.pending ?? 0);
    if (info.lag !== null && info.lag !== undefined) {
      out.push(Number(info.lag) + pending);
      continue;
    }
    // lag is nil after entries past the group's position were deleted: estimate from the
    // counters (an upper bound, off by the deleted entries), or XLEN when they are unknown.
    const stream = flat(await rt.redis.call("XINFO", "STREAM", streams[i]));
    const added = Number(stream["entries-added"]), read = Number(info["entries-read"]);
    out.push(
      Number.isFinite(added) && Number.isFinite(read) && info["entries-read"] !== null
        ? Math.max(0, added - read) + pending
        : length,
    );
  }
  return out;
}

/**
 * Entries of a family's streams (or of every family) that the worker group has not finished:
 * never delivered (`lag`) plus delivered but unacknowledged (`pending`). Before the group exists
 * every entry counts (XLEN). When Redis cannot compute `lag` (nil after entries ahead of the
 * group were deleted) it is estimated from the stream's and group's entry counters.
 */
export async function backlog(rt: Runtime, family?: Family): Promise<number> {
  const families = family ? [family] : FAMILIES;
  const counts = await streamBacklogs(
    rt,
    families.flatMap((f) => rt.keys.streams(f, rt.partitions)),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** Backlog of each family in one round trip, for backpressure and operator pages. */
export async function backlogByFamily(rt: Runtime): Promise<Record<Family, number>> {
  const counts = await streamBacklogs(
    rt,
    FAMILIES.flatMap((f) => rt.keys.streams(f, rt.partitions)),
  );
  const out = {} as Record<Family, number>;
  FAMILIES.forEach((f, i) => {
    out[f] = counts.slice(i * rt.partitions, (i + 1) * rt.partitions).reduce((a, b) => a + b, 0);
  });
  return out;
}
