/**
 * The stream workers: `consumers` loops per process (`maxConsumers` while the streams hold a
 * backlog, see {@link widthControl}), each a consumer (`host-pid-n`) of the one group `workers`
 * over every partition stream of every family. A loop reads a batch with one
 * XREADGROUP over all streams (COUNT per stream, BLOCK 50 ms; the streams' watermarks come in
 * the same round trip), commits it (pipeline/batch.ts), and every few seconds claims entries
 * left pending by dead consumers. Beside the loops, a maintenance task trims acknowledged
 * entries and keeps receipt partitions ahead, and the compactor (pipeline/compact.ts) folds the
 * batches' hour and day deltas in.
 *
 * Shutdown (the signal) stops reading; the batch in hand finishes (commit, Redis, XACK).
 */
import type { Runtime } from "../lib/runtime.ts";
import { FAMILIES, type Family, WORKER_GROUP } from "../lib/keys.ts";
import { errorMessage, log } from "../lib/log.ts";
import { createSeriesStore } from "./series.ts";
import { type BatchDeps, type BatchInfo, processEntries } from "./batch.ts";
import { entriesFromRead, type RawEntry, streamLocator } from "./entries.ts";
import { watermarksFrom } from "./watermark.ts";
import { execAll } from "../lib/redis.ts";
import { backoffMs, claimIdle, keepingClaimed } from "./recovery.ts";
import { sleep } from "../lib/clock.ts";
import { pruneConsumers, trimStreams } from "./trim.ts";
import { ensurePartitions } from "./partitions.ts";
import { type Compaction, runCompactor } from "./compact.ts";
import { metrics } from "../lib/metrics.ts";

/** Options of {@link runWorkers}; unset ones come from the configuration. */
export interface WorkerOptions {
  signal: AbortSignal;
  /** Consumer loops in this process (TILLSTREAM_WORKER_CONSUMERS). */
  consumers?: number;
  /**
   * Consumer loops while the streams hold a backlog (TILLSTREAM_WORKER_MAX_CONSUMERS); at most
   * `consumers` turns widening off. See {@link widthControl}.
   */
  maxConsumers?: number;
  /** Most entries per batch (TILLSTREAM_WORKER_BATCH), spread over the streams read. */
  batch?: number;
  /** XREADGROUP BLOCK in ms. */
  blockMs?: number;
  /**
   * When a read returns less than a quarter of a batch, wait this long (ms) and read again
   * without blocking, so the batch carries more entries: each batch rewrites every bucket it
   * touches, so tiny batches cost several times more CPU per event. 0 disables it
   * (TILLSTREAM_WORKER_LINGER_MS, default 0).
   */
  lingerMs?: number;
  /** Pending entries idle this long are claimed (TILLSTREAM_WORKER_CLAIM_IDLE_MS). */
  claimIdleMs?: number;
  /** Failures of one entry before it is dead-lettered. */
  maxAttempts?: number;
  /** Deliveries of a claimed entry after which it is dead-lettered unprocessed. */
  maxDeliveries?: number;
  /** How often the maintenance task trims streams, ms; 0 disables maintenance. */
  maintenanceEveryMs?: number;
  /** Families to consume (default all). */
  families?: readonly Family[];
  /** Base of consumer names (default `host-pid`). */
  name?: string;
  /** Called after each committed batch (benchmark, tests). */
  onBatch?: (info: BatchInfo) => void;
  /** Called when the consumer loops start, and whenever their number changes (benchmark, tests). */
  onWidth?: (loops: number) => void;
  /**
   * How often this process's compactor folds hour and day deltas into the rollups, ms
   * (TILLSTREAM_COMPACT_MS; pipeline/compact.ts).
   */
  compactEveryMs?: number;
  /** Called after each compaction that folded something (benchmark, tests). */
  onCompact?: (c: Compaction) => void;
}

/** Creates the group on every stream (from the start, so no entry is skipped) if missing. */
export async function ensureGroups(rt: Runtime, streams: string[]): Promise<void> {
  for (const s of streams) {
    try {
      await rt.redis.call("XGROUP", "CREATE", s, WORKER_GROUP, "0", "MKSTREAM");
    } catch (e) {
      if (!/BUSYGROUP/.test(errorMessage(e))) throw e;
    }
  }
}

function hostName(): string {
  try {
    return Deno.hostname();
  } catch {
    return "host";
  }
}

async function consumerLoop(
  rt: Runtime,
  deps: BatchDeps,
  streams: string[],
  mine: string[],
  name: string,
  o: Required<
    Pick<WorkerOptions, "batch" | "blockMs" | "claimIdleMs" | "maxDeliveries" | "lingerMs">
  >,
  /** Stops reading (shutdown, or the loops changing width); the batch in hand finishes. */
  stop: AbortSignal,
  /** Told the size of every read of new entries. */
  onRead: (entries: number) => void,
): Promise<void> {
  // Blocking reads get a connection of their own so they never delay other commands.
  const reader = rt.redis.duplicate();
  reader.on("error", () => {});
  const locate = streamLocator(rt.keys, rt.partitions);
  // COUNT is per stream; families differ in volume (sales dominate), so size it as if one
  // family's partitions carried the whole batch.
  const perFamily = Math.max(1, Math.round(mine.length / FAMILIES.length));
  const perStream = Math.max(10, Math.ceil(o.batch / perFamily));
  const claimEvery = Math.min(o.claimIdleMs, 5_000);
  const heartbeat = Math.max(50, Math.floor(o.claimIdleMs / 3));
  const watermarkKeys = mine.map((s) => {
    const { family, partition } = locate(s);
    return rt.keys.watermark(family, partition);
  });
  // New entries of this consumer's streams; `block` is ["BLOCK", ms] for the waiting read, or
  // nothing for the linger top-up, which takes only what has already arrived. The watermarks of
  // the streams come in the same round trip: Redis runs the MGET pipelined behind the
  // XREADGROUP once the read returns, so the batch needs no read of its own before its
  // transaction.
  const readNew = async (...block: (string | number)[]) => {
    const [reply, marks] = await execAll(
      reader.pipeline()
        .call(
          "XREADGROUP",
          "GROUP",
          WORKER_GROUP,
          name,
          "COUNT",
          perStream,
          ...block,
          "STREAMS",
          ...mine,
          ...mine.map(() => ">"),
        )
        .mget(...watermarkKeys),
    );
    return {
      entries: entriesFromRead(reply as [string, RawEntry[]][] | null, locate),
      watermarks: watermarksFrom(mine, marks as (string | null)[]),
    };
  };
  let nextClaim = Date.now() + Math.random() * claimEvery;
  let failures = 0;
  let inFlight: Promise<void> = Promise.resolve();
  try {
    while (!stop.aborted) {
      try {
        if (Date.now() >= nextClaim) {
          nextClaim = Date.now() + claimEvery;
          for (const s of streams) {
            const c = await claimIdle(
              rt.redis,
              s,
              WORKER_GROUP,
              name,
              o.claimIdleMs,
              o.batch,
              locate,
            );
            if (c.gone.length) await rt.redis.xack(s, WORKER_GROUP, ...c.gone);
            if (c.entries.length) {
              log.info("claimed pending entries of an idle consumer", {
                stream: s,
                entries: c.entries.length,
              });
              await keepingClaimed(
                rt.redis,
                WORKER_GROUP,
                name,
                c.entries,
                heartbeat,
                () =>
                  processEntries(deps, c.entries, {
                    deliveries: c.deliveries,
                    maxDeliveries: o.maxDeliveries,
                  }),
              );
            }
          }
        }
        const read = await readNew("BLOCK", o.blockMs);
        failures = 0;
        onRead(read.entries.length);
        let entries = read.entries;
        if (o.lingerMs > 0 && entries.length > 0 && entries.length < o.batch / 4) {
          await sleep(o.lingerMs, stop);
          try {
            entries = entries.concat((await readNew()).entries);
          } catch {
            // Go on with the entries in hand; the next read reports a lasting failure.
          }
        }
        if (entries.length) {
          // Overlap: once this batch has committed, its Redis write and XACK run while the
          // next batch is read and committed. At most two batches are in flight per consumer.
          let committed!: () => void;
          const isCommitted = new Promise<void>((resolve) => committed = resolve);
          const task = keepingClaimed(
            rt.redis,
            WORKER_GROUP,
            name,
            entries,
            heartbeat,
            () =>
              processEntries(deps, entries, {
                onCommitted: committed,
                watermarks: read.watermarks,
              }),
          );
          task.catch(() => {}); // awaited below or on the next turn; never unhandled
          await Promise.race([isCommitted, task]);
          const previous = inFlight;
          inFlight = task;
          await previous;
        }
      } catch (e) {
        const msg = errorMessage(e);
        if (e instanceof Error && e.name === "Abandoned") break;
        if (/NOGROUP/.test(msg)) {
          await ensureGroups(rt, streams).catch(() => {});
          continue;
        }
        const wait = backoffMs(failures++);
        log.warn("worker read failed; retrying", { consumer: name, error: msg, wait_ms: wait });
        await sleep(wait, stop);
      }
    }
  } finally {
    await inFlight.catch(() => {}); // the batch in hand finishes (or is given up) first
    reader.disconnect();
  }
}

async function maintenance(rt: Runtime, streams: string[], signal: AbortSignal, every: number) {
  // First full pass (moving months out of the default partition) a minute after start, then hourly.
  let lastPartitions = Date.now() - 3_540_000;
  while (!signal.aborted) {
    try {
      if (Date.now() - lastPartitions > 3_600_000) {
        const created = await ensurePartitions(rt.sql, rt.clock.now());
        if (created.length) log.info("receipt partitions created", { months: created });
        lastPartitions = Date.now();
      }
      const removed = await trimStreams(rt.redis, streams);
      for (const s of streams) await pruneConsumers(rt.redis, s, WORKER_GROUP, 3_600_000);
      const total = [...removed.values()].reduce((a, b) => a + b, 0);
      if (total) log.debug("trimmed acknowledged stream entries", { entries: total });
    } catch (e) {
      log.warn("stream maintenance failed; will retry", { error: errorMessage(e) });
    }
    await sleep(every, signal);
  }
}

/**
 * The streams consumer `i` of `n` reads: partitions p with p mod n = i (of every family), so
 * the loops of one process do not contend for the same stores' rows in PostgreSQL. Any
 * consumer may still claim any stream's pending entries; affinity is about speed, never about
 * correctness. With more consumers than partitions every loop reads every stream.
 */
export function affinity(
  rt: Pick<Runtime, "keys" | "partitions">,
  families: readonly Family[],
  i: number,
  n: number,
): string[] {
  const all = families.flatMap((f) => rt.keys.streams(f, rt.partitions));
  if (n > rt.partitions) return all;
  return families.flatMap((f) =>
    Array.from({ length: rt.partitions }, (_, p) => p).filter((p) => p % n === i)
      .map((p) => rt.keys.stream(f, p))
  );
}

/** Reads in a row of at least half a batch that widen the consumer loops. */
export const WIDEN_AFTER_READS = 3;
/** Time without a read of a quarter batch after which wide loops narrow again, ms. */
export const NARROW_AFTER_MS = 5_000;

/**
 * Decides when the consumer loops change width. Normally a process runs `consumers` loops
 * (two by default): at 10,000 events/s each read holds ~1 % of a batch, and more loops would
 * only split the events into smaller batches, which cost more CPU per event and raised the p99
 * from 76–77 to 112–122 ms (docs/benchmarks.md, tenth pass). A backlog is another matter: there
 * every read is full, and four loops, one per partition, keep both cores busier than two (3–17 %
 * more events/s in seven pairs). So {@link WIDEN_AFTER_READS} reads in a row of at least half a
 * batch widen the loops to `maxConsumers`, and {@link NARROW_AFTER_MS} without a read of a quarter
 * batch narrow them again.
 */
export function widthControl(batch: number, now: () => number = Date.now) {
  let fullReads = 0, busyAt = now();
  return {
    /** Whether the loops should change width after a read of `entries` at `wide` or not. */
    changeAfter(wide: boolean, entries: number): boolean {
      if (!wide) {
        fullReads = entries >= batch / 2 ? fullReads + 1 : 0;
        return fullReads >= WIDEN_AFTER_READS;
      }
      if (entries >= batch / 4) busyAt = now();
      return now() - busyAt >= NARROW_AFTER_MS;
    },
    /** Starts counting afresh (the loops have just changed width). */
    reset() {
      fullReads = 0;
      busyAt = now();
    },
  };
}

/**
 * Runs the consumer loops (and maintenance) until `signal` aborts, then lets each loop finish
 * its batch in hand and resolves.
 */
export async function runWorkers(rt: Runtime, opts: WorkerOptions): Promise<void> {
  const cfg = rt.config;
  const families = opts.families ?? FAMILIES;
  const streams = families.flatMap((f) => rt.keys.streams(f, rt.partitions));
  const consumers = opts.consumers ?? cfg.TILLSTREAM_WORKER_CONSUMERS;
  const maxConsumers = Math.max(
    consumers,
    opts.maxConsumers ?? cfg.TILLSTREAM_WORKER_MAX_CONSUMERS,
  );
  const base = opts.name ?? `${hostName()}-${Deno.pid}`;
  for (let attempt = 0;; attempt++) {
    try {
      await ensureGroups(rt, streams);
      break;
    } catch (e) {
      if (opts.signal.aborted) return;
      log.warn("cannot create consumer groups yet; retrying", { error: errorMessage(e) });
      await sleep(backoffMs(attempt), opts.signal);
    }
  }
  const deps: BatchDeps = {
    rt,
    series: createSeriesStore(rt),
    writes: Promise.resolve(),
    signal: opts.signal,
    maxAttempts: opts.maxAttempts ?? 3,
    graceMs: 10_000,
    onBatch: opts.onBatch,
  };
  const o = {
    batch: opts.batch ?? cfg.TILLSTREAM_WORKER_BATCH,
    blockMs: opts.blockMs ?? 50,
    lingerMs: opts.lingerMs ?? cfg.TILLSTREAM_WORKER_LINGER_MS,
    claimIdleMs: opts.claimIdleMs ?? cfg.TILLSTREAM_WORKER_CLAIM_IDLE_MS,
    maxDeliveries: opts.maxDeliveries ?? 5,
  };
  log.info("workers started", {
    consumers,
    max_consumers: maxConsumers,
    streams: streams.length,
    batch: o.batch,
    name: base,
  });
  try {
    // Before the first insert, so receipts land in month partitions rather than the default.
    await ensurePartitions(rt.sql, rt.clock.now(), { fromDefault: false });
  } catch (e) {
    log.warn("cannot create receipt partitions yet; maintenance will retry", {
      error: errorMessage(e),
    });
  }
  // The consumer loops, run in generations: a generation ends when shutdown is requested or its
  // width should change; its loops finish their batches in hand before the next one starts.
  const control = widthControl(o.batch);
  const generations = async () => {
    let width = consumers;
    while (!opts.signal.aborted) {
      const stop = new AbortController();
      const end = () => stop.abort();
      opts.signal.addEventListener("abort", end, { once: true });
      const wide = width > consumers;
      control.reset();
      const onRead = (entries: number) => {
        if (maxConsumers > consumers && control.changeAfter(wide, entries)) end();
      };
      opts.onWidth?.(width);
      metrics.consumerLoops.set(width);
      await Promise.all(Array.from({ length: width }, (_, i) =>
        consumerLoop(
          rt,
          deps,
          streams,
          affinity(rt, families, i, width),
          width === 1 ? base : `${base}-${i}`,
          o,
          stop.signal,
          onRead,
        )));
      opts.signal.removeEventListener("abort", end);
      if (opts.signal.aborted) break;
      width = wide ? consumers : maxConsumers;
      log.info(wide ? "backlog gone: consumer loops narrowed" : "backlog: consumer loops widened", {
        loops: width,
      });
    }
  };
  const loops = [generations()];
  const every = opts.maintenanceEveryMs ?? 10_000;
  if (every > 0) loops.push(maintenance(rt, streams, opts.signal, every));
  const batches = Promise.all(loops);
  await Promise.all([
    batches,
    runCompactor(rt, deps.series, {
      signal: opts.signal,
      everyMs: opts.compactEveryMs ?? cfg.TILLSTREAM_COMPACT_MS,
      onCompact: opts.onCompact,
      settled: batches,
    }),
  ]);
  log.info("workers stopped");
}
