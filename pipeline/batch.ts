/**
 * One batch, end to end: decode → PostgreSQL transaction → absolute values to Redis → watermark
 * → live update → XACK. Acknowledgement is always last, so a crash at any point leaves the
 * entries pending; the replay finds its receipts already recorded (no double counting) and
 * rewrites the same absolute values to Redis (repairing anything lost).
 */
import type { Runtime } from "../lib/runtime.ts";
import { WORKER_GROUP } from "../lib/keys.ts";
import { errorMessage, log } from "../lib/log.ts";
import { execAll } from "../lib/redis.ts";
import { metrics } from "../lib/metrics.ts";
import { invalidateStoreDirectory, storeDirectory } from "../lib/stores.ts";
import { deadLetter } from "../ingest/dlq.ts";
import { applyEvents, type ApplyResult, type DecodedEntry, type StreamEntry } from "./apply.ts";
import { decodeEntries } from "./entries.ts";
import type { SeriesStore } from "./series.ts";
import {
  defineWatermarkCommand,
  newestByPartition,
  raiseWatermarks,
  readWatermarks,
} from "./watermark.ts";
import { liveUpdate, publishLiveUpdate } from "./live_updates.ts";
import { backoffMs, commitIsolatingPoison, isPoisonError } from "./recovery.ts";
import { sleep } from "../lib/clock.ts";
import { crashPoint } from "./crash_hook.ts";

/** Most ids one XACK carries. */
const XACK_IDS = 10_000;

/** Timing of one committed batch, for the benchmark and tests. */
export interface BatchInfo {
  entries: StreamEntry[];
  /** Date.now() when the batch was read, committed in PostgreSQL, and visible in Redis. */
  readAt: number;
  committedAt: number;
  visibleAt: number;
  result: ApplyResult;
}

/** What a batch needs besides its entries. */
export interface BatchDeps {
  rt: Runtime;
  series: SeriesStore;
  /** Tail of this process's Redis aggregate writes, which run one at a time in commit order. */
  writes: Promise<void>;
  signal: AbortSignal;
  /** Failures of a single entry before it is dead-lettered. */
  maxAttempts: number;
  /** After shutdown is requested, how long outage retries of the batch in hand go on. */
  graceMs: number;
  onBatch?: (info: BatchInfo) => void;
}

/** Thrown when shutdown gives up on a batch during an outage; its entries stay pending. */
export class Abandoned extends Error {
  override name = "Abandoned";
}

/**
 * Runs `fn` until it succeeds, backing off between tries; poison errors pass through when
 * `passPoison` is set. After shutdown, gives up with {@link Abandoned} once `graceMs` passes.
 */
async function retrying<T>(
  deps: BatchDeps,
  what: string,
  fn: () => Promise<T>,
  passPoison: boolean,
): Promise<T> {
  let deadline: number | null = null;
  for (let attempt = 0;; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (passPoison && isPoisonError(e)) throw e;
      if (e instanceof Abandoned) throw e;
      if (deps.signal.aborted) {
        deadline ??= Date.now() + deps.graceMs;
        if (Date.now() > deadline) throw new Abandoned(`gave up ${what} at shutdown`);
      }
      const wait = backoffMs(attempt);
      log.warn(`${what} failed; retrying`, { error: errorMessage(e), attempt, wait_ms: wait });
      await sleep(wait);
    }
  }
}

/** Queues the XACK of `entries` on a pipeline. */
function queueAck(pipe: ReturnType<Runtime["redis"]["pipeline"]>, entries: StreamEntry[]): void {
  const byStream = new Map<string, string[]>();
  for (const e of entries) {
    const ids = byStream.get(e.stream);
    if (ids) ids.push(e.id);
    else byStream.set(e.stream, [e.id]);
  }
  for (const [s, ids] of byStream) {
    // In slices: a batch may hold up to 100,000 entries (TILLSTREAM_WORKER_BATCH), more than
    // one JavaScript call can spread.
    for (let i = 0; i < ids.length; i += XACK_IDS) {
      pipe.xack(s, WORKER_GROUP, ...ids.slice(i, i + XACK_IDS));
    }
  }
}

async function ack(deps: BatchDeps, entries: StreamEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await retrying(deps, "XACK", async () => {
    const pipe = deps.rt.redis.pipeline();
    queueAck(pipe, entries);
    await execAll(pipe);
  }, false);
}

/** Dead-letters an entry and acknowledges it, so its partition keeps flowing. */
export async function deadLetterAndAck(
  deps: BatchDeps,
  entry: StreamEntry,
  reason: string,
): Promise<void> {
  log.warn("dead-lettering a stream entry", { stream: entry.stream, id: entry.id, reason });
  await retrying(deps, "dead-letter write", () =>
    deadLetter(deps.rt, {
      reason,
      stream: entry.stream,
      id: entry.id,
      payload: entry.payload,
    }), false);
  await ack(deps, [entry]);
}

async function context(
  rt: Runtime,
  batch: DecodedEntry[],
  watermarks?: Map<string, number | null>,
) {
  let stores = await storeDirectory(rt);
  if (
    batch.some((e) =>
      e.event.type !== "inventory" && e.event.type !== "customer" &&
      !stores.has(e.event.store_id)
    )
  ) {
    invalidateStoreDirectory(rt); // a store added a moment ago by another process
    stores = await storeDirectory(rt);
  }
  return { stores, watermarks: watermarks ?? await readWatermarks(rt.redis, rt.keys, batch) };
}

/** The post-commit effects, retried on Redis errors until done (or shutdown gives up). */
async function afterCommit(deps: BatchDeps, batch: DecodedEntry[], result: ApplyResult) {
  const { rt } = deps;
  // Writes leave this process in commit order (queued before anything is awaited): two
  // consumers committing the same chain-wide bucket one after the other must not overwrite the
  // newer value with the older one.
  const write = deps.writes.then(() =>
    retrying(deps, "Redis aggregate write", () => deps.series.write(result.buckets), false)
  );
  deps.writes = write.catch(() => {});
  for (const r of result.rejected) await deadLetterAndAck(deps, r.entry, r.reason);
  await write;
  const visibleAt = Date.now();
  crashPoint("before-ack");
  const rejected = new Set(result.rejected.map((r) => r.entry));
  const done = batch.filter((e) => !rejected.has(e));
  const late = Object.values(result.late).reduce((a, b) => a + (b ?? 0), 0);
  // The watermarks, the live update and the XACK in one round trip, the XACK last (a retry
  // repeats all three: raising a watermark and acknowledging are idempotent).
  await retrying(deps, "watermark, live update and XACK", async () => {
    defineWatermarkCommand(rt.redis);
    const pipe = rt.redis.pipeline();
    raiseWatermarks(pipe, newestByPartition(rt.keys, done));
    if (result.buckets.length || result.newReceipts.length) {
      publishLiveUpdate(
        pipe,
        rt.keys.liveUpdates,
        liveUpdate(
          rt.clock.now(),
          result.buckets,
          result.newReceipts,
          late,
          result.duplicates,
          result.lateIds,
        ),
      );
    }
    queueAck(pipe, done);
    await execAll(pipe);
  }, false);
  return visibleAt;
}

/** Commits one (sub-)batch: the transaction, then Redis, then XACK. */
async function commit(
  deps: BatchDeps,
  batch: DecodedEntry[],
  opts: ProcessOptions,
): Promise<void> {
  const readAt = Date.now();
  const ctx = await context(deps.rt, batch, opts.watermarks);
  const result = await applyEvents(deps.rt, batch, ctx);
  const committedAt = Date.now();
  opts.onCommitted?.();
  const visibleAt = await afterCommit(deps, batch, result);
  const families = new Map<string, number>();
  for (const e of batch) families.set(e.family, (families.get(e.family) ?? 0) + 1);
  for (const [family, n] of families) {
    metrics.batchSize.observe({ family }, n);
    metrics.commitLatency.observe({ family }, (committedAt - readAt) / 1000);
    metrics.eventsProcessed.inc({ family }, n);
  }
  for (const [family, n] of Object.entries(result.late)) {
    if (n) metrics.lateEvents.inc({ family }, n);
  }
  if (result.duplicates) metrics.duplicateEvents.inc(result.duplicates);
  deps.onBatch?.({ entries: batch, readAt, committedAt, visibleAt, result });
}

/** Options of {@link processEntries}. */
export interface ProcessOptions {
  /**
   * Deliveries of each claimed entry: an entry delivered more than `maxDeliveries` times goes
   * straight to the dead-letter stream.
   */
  deliveries?: Map<string, number>;
  maxDeliveries?: number;
  /** Called when the (first) transaction of the batch has committed, before Redis and XACK. */
  onCommitted?: () => void;
  /**
   * The watermarks of the entries' streams, read with the entries (pipelined behind the
   * XREADGROUP); read before the transaction when not given.
   */
  watermarks?: Map<string, number | null>;
}

/** Processes entries read or claimed by a worker. */
export async function processEntries(
  deps: BatchDeps,
  entries: StreamEntry[],
  opts: ProcessOptions = {},
): Promise<void> {
  if (entries.length === 0) return;
  const fresh: StreamEntry[] = [];
  for (const e of entries) {
    const n = opts.deliveries?.get(e.id) ?? 0;
    if (n > (opts.maxDeliveries ?? Infinity)) {
      await deadLetterAndAck(
        deps,
        e,
        `delivered ${n} times without being acknowledged (it may crash workers); inspect it`,
      );
    } else fresh.push(e);
  }
  const { decoded, failed } = decodeEntries(fresh);
  for (const f of failed) await deadLetterAndAck(deps, f.entry, f.reason);
  await retrying(
    deps,
    "batch transaction",
    () =>
      commitIsolatingPoison(
        decoded,
        (b) => commit(deps, b, opts),
        (e, reason) => deadLetterAndAck(deps, e, reason),
        deps.maxAttempts,
      ),
    false,
  );
}
