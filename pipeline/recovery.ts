/**
 * Recovery: what a worker does when things go wrong, so that nothing is lost, nothing is
 * counted twice and one bad message never blocks its partition.
 *
 * - Dead consumers: their pending entries are claimed with XAUTOCLAIM once idle for
 *   `claimIdleMs`; an entry delivered more than `maxDeliveries` times (it crashed every worker
 *   that took it) is dead-lettered instead of processed.
 * - Outages (PostgreSQL or Redis unreachable, connections killed, deadlocks): the whole batch
 *   is retried with capped exponential backoff, never acknowledged in between.
 * - Poison (an entry PostgreSQL refuses, e.g. a number out of range): the failing batch is
 *   split in halves and retried, down to the single entry, which is dead-lettered after
 *   `maxAttempts` failures; the rest of the batch commits.
 */
import type { Redis } from "../lib/redis.ts";
import type { StreamEntry } from "./apply.ts";
import { entryFromReply, type RawEntry } from "./entries.ts";

/** PostgreSQL SQLSTATE classes caused by the data of an entry, not by the infrastructure. */
const DATA_CLASSES = new Set(["22", "23"]);

/**
 * True when `e` is caused by the entries themselves (retrying cannot help; isolate them), as
 * opposed to an outage (retry the same batch later).
 */
export function isPoisonError(e: unknown): boolean {
  // JS errors (TypeError...) are not poison: postgres.js and ioredis raise them during outages
  // too, and dead-lettering good entries is worse than retrying a bug visibly in the logs.
  const code = (e as { code?: unknown })?.code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) &&
    DATA_CLASSES.has(code.slice(0, 2));
}

/** Backoff before retry `attempt` (0-based): 100 ms doubling to 2 s, with jitter. */
export function backoffMs(attempt: number): number {
  const base = Math.min(2_000, 100 * 2 ** Math.min(attempt, 5));
  return base / 2 + Math.random() * (base / 2);
}

/** Entries taken over from dead consumers, with how often each was delivered. */
export interface Claimed {
  entries: StreamEntry[];
  /** Entries with no fields left (trimmed or deleted while pending): acknowledge them. */
  gone: string[];
  deliveries: Map<string, number>;
}

/**
 * Claims up to `count` entries of `stream` idle for at least `minIdleMs` in `group` for
 * `consumer` (XAUTOCLAIM from the start of the pending list), and reads their delivery counts.
 */
export async function claimIdle(
  redis: Redis,
  stream: string,
  group: string,
  consumer: string,
  minIdleMs: number,
  count: number,
  locate: (stream: string) => { family: StreamEntry["family"]; partition: number },
): Promise<Claimed> {
  const out: Claimed = { entries: [], gone: [], deliveries: new Map() };
  let cursor = "0-0";
  do {
    const reply = await redis.call(
      "XAUTOCLAIM",
      stream,
      group,
      consumer,
      minIdleMs,
      cursor,
      "COUNT",
      count - out.entries.length,
    ) as [string, (RawEntry | null)[], string[]?];
    cursor = reply[0];
    for (const raw of reply[1]) {
      if (!raw || !raw[1]) {
        if (raw) out.gone.push(raw[0]);
        continue;
      }
      out.entries.push(entryFromReply(stream, raw, locate(stream)));
    }
    // Redis 7 reports entries deleted while pending separately (and drops them from the PEL).
    for (const id of reply[2] ?? []) out.gone.push(id);
  } while (cursor !== "0-0" && out.entries.length < count);
  if (out.entries.length) {
    const first = out.entries[0].id, last = out.entries[out.entries.length - 1].id;
    const pending = await redis.call(
      "XPENDING",
      stream,
      group,
      first,
      last,
      out.entries.length,
      consumer,
    ) as [string, string, number, number][];
    for (const [id, , , n] of pending) out.deliveries.set(id, Number(n));
  }
  return out;
}

/**
 * Applies `entries` with `commit`; when it fails because of the data, splits the batch in
 * halves and recurses, so only the poison entries end up in `deadLetter` (after `maxAttempts`
 * failures each) and every other entry commits. Outage errors are rethrown for the caller to
 * retry the whole batch.
 */
export async function commitIsolatingPoison<T extends StreamEntry>(
  entries: T[],
  commit: (batch: T[]) => Promise<void>,
  deadLetter: (entry: T, reason: string) => Promise<void>,
  maxAttempts: number,
): Promise<void> {
  if (entries.length === 0) return;
  for (let attempt = 1;; attempt++) {
    try {
      await commit(entries);
      return;
    } catch (e) {
      if (!isPoisonError(e)) throw e;
      if (entries.length > 1) {
        const mid = Math.ceil(entries.length / 2);
        await commitIsolatingPoison(entries.slice(0, mid), commit, deadLetter, maxAttempts);
        await commitIsolatingPoison(entries.slice(mid), commit, deadLetter, maxAttempts);
        return;
      }
      if (attempt >= maxAttempts) {
        const msg = (e as Error).message;
        await deadLetter(
          entries[0],
          `PostgreSQL refused this entry ${attempt} times: ${msg}. Fix the payload and replay it ` +
            `with: deno task dlq replay <id>`,
        );
        return;
      }
    }
  }
}

/**
 * Runs `work` on entries owned by `consumer` while keeping them fresh: every `everyMs` their idle
 * time is reset (XCLAIM … JUSTID to the same consumer, which leaves the delivery count alone),
 * so a live worker stuck in a long outage retry is never robbed of its batch by XAUTOCLAIM — and
 * its entries never reach the delivery limit that sends crash-looping entries to the DLQ.
 */
export async function keepingClaimed<T>(
  redis: Redis,
  group: string,
  consumer: string,
  entries: StreamEntry[],
  everyMs: number,
  work: () => Promise<T>,
): Promise<T> {
  const byStream = new Map<string, string[]>();
  for (const e of entries) {
    const ids = byStream.get(e.stream);
    if (ids) ids.push(e.id);
    else byStream.set(e.stream, [e.id]);
  }
  const timer = setInterval(() => {
    for (const [stream, ids] of byStream) {
      redis.call("XCLAIM", stream, group, consumer, 0, ...ids, "JUSTID").catch(() => {});
    }
  }, everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
