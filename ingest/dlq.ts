/**
 * Dead letters: entries that failed after acceptance (a worker could not decode or store them)
 * go to the `pos:dlq` stream with the reason, their source stream and entry id, and the
 * original payload bytes, so nothing is lost and nothing blocks the pipeline. Operators list,
 * inspect, replay (back onto the source stream) and purge them from `deno task dlq`.
 */
import { decodeEvent } from "../lib/events.ts";
import { FAMILIES } from "../lib/keys.ts";
import type { Runtime } from "../lib/runtime.ts";
import { streamOf } from "./producer.ts";

/** What a worker records about an entry it gives up on. */
export interface DeadLetterInput {
  reason: string;
  /** Source stream name, e.g. `pos:sales:{2}`. */
  stream: string;
  /** Source entry id. */
  id: string;
  /** The entry's original `e` field. */
  payload: string;
}

/** A dead letter as stored. `id` is its id in the DLQ stream. */
export interface DeadLetter {
  id: string;
  reason: string;
  stream: string;
  entry_id: string;
  payload: string;
  /** When it was dead-lettered (ISO-8601, from the runtime clock). */
  at: string;
}

/** An operation on the DLQ that cannot be done; the message says why. */
export class DlqError extends Error {
  override name = "DlqError";
}

/**
 * Records a failed entry in the DLQ and returns its DLQ id. Keep this signature stable: the
 * stream workers call it.
 */
export async function deadLetter(rt: Runtime, entry: DeadLetterInput): Promise<string> {
  const at = new Date(rt.clock.now()).toISOString();
  const id = await rt.redis.xadd(
    rt.keys.dlq,
    "*",
    "reason",
    entry.reason,
    "stream",
    entry.stream,
    "entry_id",
    entry.id,
    "payload",
    entry.payload,
    "at",
    at,
  );
  return id as string;
}

function fromEntry([id, fields]: [string, string[]]): DeadLetter {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  return {
    id,
    reason: f.reason ?? "",
    stream: f.stream ?? "",
    entry_id: f.entry_id ?? "",
    payload: f.payload ?? "",
    at: f.at ?? "",
  };
}

/** Number of dead letters. */
export async function countDeadLetters(rt: Runtime): Promise<number> {
  return await rt.redis.xlen(rt.keys.dlq);
}

/** Dead letters oldest first, `limit` at a time; pass the last id as `after` for the next page. */
export async function listDeadLetters(
  rt: Runtime,
  opts: { limit?: number; after?: string } = {},
): Promise<DeadLetter[]> {
  const start = opts.after ? `(${opts.after}` : "-";
  const rows = await rt.redis.xrange(rt.keys.dlq, start, "+", "COUNT", opts.limit ?? 100);
  return rows.map(fromEntry);
}

const ENTRY_ID = /^\d+-\d+$/;

function checkId(id: string) {
  if (!ENTRY_ID.test(id)) {
    throw new DlqError(
      `"${id}" is not a dead-letter id; ids look like 1764072000000-0 (see: deno task dlq list)`,
    );
  }
}

/** One dead letter, or null. */
export async function getDeadLetter(rt: Runtime, id: string): Promise<DeadLetter | null> {
  checkId(id);
  const rows = await rt.redis.xrange(rt.keys.dlq, id, id);
  return rows.length ? fromEntry(rows[0]) : null;
}

/**
 * Where a dead letter goes back to: its source stream when that is one of this deployment's
 * event streams; otherwise (partition count changed) the stream its payload maps to now.
 */
function replayTarget(rt: Runtime, d: DeadLetter): string {
  const known = new Set(FAMILIES.flatMap((f) => rt.keys.streams(f, rt.partitions)));
  if (known.has(d.stream)) return d.stream;
  const decoded = decodeEvent(d.payload);
  if (decoded.ok) return streamOf(rt, decoded.event);
  throw new DlqError(
    `dead letter ${d.id} came from ${d.stream}, which is not an event stream of this deployment, and its payload cannot be decoded (${decoded.error}); inspect it with: deno task dlq show ${d.id}`,
  );
}

/**
 * Puts one dead letter's original payload back on its source stream (as a new entry), then
 * removes it from the DLQ. Returns the new stream entry id. A crash between the two steps
 * replays it twice, which is safe: workers deduplicate receipts and inventory events.
 */
export async function replayDeadLetter(rt: Runtime, id: string): Promise<string> {
  const d = await getDeadLetter(rt, id);
  if (!d) throw new DlqError(`no dead letter ${id}; see: deno task dlq list`);
  const target = replayTarget(rt, d);
  const newId = await rt.redis.xadd(target, "*", "e", d.payload) as string;
  await rt.redis.xdel(rt.keys.dlq, d.id);
  return newId;
}

/**
 * Replays every dead letter present when it starts; those that cannot be replayed stay in the
 * DLQ and are reported. Returns the counts and the failures.
 */
export async function replayAll(
  rt: Runtime,
): Promise<{ replayed: number; failed: { id: string; error: string }[] }> {
  let replayed = 0;
  const failed: { id: string; error: string }[] = [];
  const last = await rt.redis.xrevrange(rt.keys.dlq, "+", "-", "COUNT", 1);
  if (!last.length) return { replayed, failed };
  const end = last[0][0];
  let after: string | undefined;
  while (true) {
    const page = await listDeadLetters(rt, { after, limit: 500 });
    const mine = page.filter((d) => compareIds(d.id, end) <= 0);
    for (const d of mine) {
      try {
        const target = replayTarget(rt, d);
        const res = await rt.redis.pipeline().xadd(target, "*", "e", d.payload)
          .xdel(rt.keys.dlq, d.id).exec();
        const err = res?.find(([e]) => e)?.[0];
        if (err) throw err;
        replayed++;
      } catch (e) {
        failed.push({ id: d.id, error: (e as Error).message });
      }
    }
    if (mine.length < page.length || page.length < 500) break;
    after = page[page.length - 1].id;
  }
  return { replayed, failed };
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am - bm || as - bs;
}

/** Deletes dead letters recorded before `before` (epoch ms); returns how many. */
export async function purgeDeadLetters(rt: Runtime, before: number): Promise<number> {
  if (!Number.isFinite(before)) throw new DlqError("purge needs a time, e.g. 2026-11-01T00:00:00Z");
  // DLQ ids are the Redis time at which each entry was added, so MINID trims exactly by age.
  return await rt.redis.xtrim(rt.keys.dlq, "MINID", Math.floor(before));
}
