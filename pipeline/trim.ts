/**
 * Stream trimming that never removes an entry some consumer group still needs. For each
 * partition stream the safe point is, over every group: its oldest pending (delivered, not
 * acknowledged) entry, or, when nothing is pending, the entry after its last delivered one.
 * XTRIM MINID removes only entries below that point. Entries added meanwhile are newer than
 * every group's last delivered id, so the race with producers is harmless. Raw receipts are
 * kept in PostgreSQL; the streams are only a buffer.
 */
import type { Redis } from "../lib/redis.ts";

/** Fields of an XINFO GROUPS entry. */
function fields(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/** Compares stream ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(BigInt), [bm, bs] = b.split("-").map(BigInt);
  return am !== bm ? (am < bm ? -1 : 1) : as === bs ? 0 : as < bs ? -1 : 1;
}

/** The id right after `id`. */
export function nextId(id: string): string {
  const [ms, seq] = id.split("-");
  return `${ms}-${BigInt(seq) + 1n}`;
}

/**
 * The smallest id every group still needs on `stream`, or null when the stream has no group
 * (then nothing may be trimmed: a group created later starts from the beginning).
 */
export async function safeTrimPoint(redis: Redis, stream: string): Promise<string | null> {
  let groups: Record<string, unknown>[];
  try {
    groups = ((await redis.call("XINFO", "GROUPS", stream)) as unknown[][]).map(fields);
  } catch {
    return null; // no such stream
  }
  if (groups.length === 0) return null;
  let point: string | null = null;
  for (const g of groups) {
    let need = nextId(String(g["last-delivered-id"]));
    if (Number(g.pending) > 0) {
      const summary = await redis.call("XPENDING", stream, String(g.name)) as unknown[];
      const oldest = summary[1] as string | null;
      if (oldest && compareIds(oldest, need) < 0) need = oldest;
    }
    if (point === null || compareIds(need, point) < 0) point = need;
  }
  return point;
}

/** Trims each stream below its safe point; returns entries removed per stream. */
export async function trimStreams(redis: Redis, streams: string[]): Promise<Map<string, number>> {
  const removed = new Map<string, number>();
  for (const s of streams) {
    const point = await safeTrimPoint(redis, s);
    if (point === null) continue;
    // Exact MINID (not ~): the figure is honest and the cost is small at this cadence.
    removed.set(s, Number(await redis.call("XTRIM", s, "MINID", point)));
  }
  return removed;
}

/**
 * Removes consumers of `group` that hold nothing pending and have been idle for `idleMs` (the
 * names of exited worker processes). Harmless for a live consumer: XREADGROUP re-creates it.
 */
export async function pruneConsumers(
  redis: Redis,
  stream: string,
  group: string,
  idleMs: number,
): Promise<number> {
  let consumers: Record<string, unknown>[];
  try {
    consumers = ((await redis.call("XINFO", "CONSUMERS", stream, group)) as unknown[][]).map(
      fields,
    );
  } catch {
    return 0; // no stream or group yet
  }
  let removed = 0;
  for (const c of consumers) {
    if (Number(c.pending) === 0 && Number(c.idle) >= idleMs) {
      await redis.call("XGROUP", "DELCONSUMER", stream, group, String(c.name));
      removed++;
    }
  }
  return removed;
}
