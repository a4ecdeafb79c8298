/**
 * Event-time watermarks, one per stream partition: the newest event time the workers have
 * committed from that partition, minus the allowed lateness (10 minutes). An event behind the
 * watermark is "late": it still corrects PostgreSQL and Redis, and it marks the buckets it
 * changes in closed windows as revised.
 *
 * Redis keeps the maximum event time seen (`wm:<family>:{p}`); a small Lua script raises it and
 * never lowers it, so any number of workers may advance one partition concurrently. A batch is
 * judged against the watermark read before it, as in micro-batch stream processors: events of
 * one batch never make each other late.
 */
import type { Redis } from "../lib/redis.ts";
import type { Keys } from "../lib/keys.ts";
import type { StreamEntry } from "./apply.ts";

/** Allowed lateness: the watermark trails the newest event time by this much. */
export const LATENESS_MS = 10 * 60_000;

const RAISE_LUA = `
for i = 1, #KEYS do
  local v = tonumber(ARGV[i])
  local cur = tonumber(redis.call('GET', KEYS[i]) or '-1')
  if v > cur then redis.call('SET', KEYS[i], ARGV[i]) end
end
return 1
`;
const COMMAND = "tillstreamRaiseWatermark";
type WithRaise = { [COMMAND](n: number, ...args: (string | number)[]): Promise<number> };

/** Defines the raise script on a client; call before creating a pipeline that raises. */
export function defineWatermarkCommand(redis: Redis): void {
  if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: RAISE_LUA });
}

/** Watermark key of an entry's partition. */
export function watermarkKey(keys: Keys, e: Pick<StreamEntry, "family" | "partition">): string {
  return keys.watermark(e.family, e.partition);
}

/** Current watermarks (max event time − lateness) by stream name; null where none yet. */
export async function readWatermarks(
  redis: Redis,
  keys: Keys,
  entries: Pick<StreamEntry, "stream" | "family" | "partition">[],
): Promise<Map<string, number | null>> {
  const streams = new Map<string, string>();
  for (const e of entries) if (!streams.has(e.stream)) streams.set(e.stream, watermarkKey(keys, e));
  if (streams.size === 0) return new Map();
  return watermarksFrom([...streams.keys()], await redis.mget(...streams.values()));
}

/**
 * Watermarks by stream from the stored maximum event times of their partitions (`values[i]` is
 * the MGET value of stream `streams[i]`'s watermark key).
 */
export function watermarksFrom(
  streams: string[],
  values: (string | null)[],
): Map<string, number | null> {
  const out = new Map<string, number | null>();
  streams.forEach((s, i) => {
    const v = values[i];
    out.set(s, v === null || v === undefined ? null : Number(v) - LATENESS_MS);
  });
  return out;
}

/** Newest event time per watermark key among `entries` (to raise after a commit). */
export function newestByPartition(
  keys: Keys,
  entries: (Pick<StreamEntry, "family" | "partition"> & { event: { ts: number } })[],
): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entries) {
    const k = watermarkKey(keys, e);
    if (!(e.event.ts <= (out.get(k) ?? -Infinity))) out.set(k, e.event.ts);
  }
  return out;
}

/** Queues the raise of each partition's max event time on a pipeline (never lowers it). */
export function raiseWatermarks(
  pipe: ReturnType<Redis["pipeline"]>,
  newest: Map<string, number>,
): void {
  if (newest.size === 0) return;
  if (!(COMMAND in pipe)) {
    throw new Error("call defineWatermarkCommand(redis) before creating the pipeline");
  }
  (pipe as unknown as WithRaise)[COMMAND](
    newest.size,
    ...newest.keys(),
    ...[...newest.values()].map((v) => String(Math.floor(v))),
  );
}
