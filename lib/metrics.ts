/**
 * Operator figures in one prom-client registry, served as Prometheus text at `/metrics`.
 *
 * Two kinds of figure live here. Stream figures (per-partition lag, DLQ size) are read from
 * Redis when `/metrics` is scraped, so they are true whichever process runs the workers.
 * Worker figures (batch sizes, commit latency, late and processed events) are counted by the
 * worker in its own process; with `deno task start` that is the web process too, and a worker
 * run alone can serve them with {@link renderMetrics} on a port of its own.
 */
import client from "prom-client";
import { FAMILIES, type Keys, WORKER_GROUP } from "./keys.ts";
import type { Redis } from "./redis.ts";

/** The registry and every figure in it. */
export interface Metrics {
  registry: client.Registry;
  /** Entries of a stream partition the worker group has not acknowledged yet (undelivered + pending). */
  pipelineLag: client.Gauge<"family" | "partition">;
  /** Messages per batch read by a worker (XREADGROUP COUNT bound). */
  batchSize: client.Histogram<"family">;
  /** Seconds from a batch read to its PostgreSQL commit. */
  commitLatency: client.Histogram<"family">;
  /** Entries in the dead-letter stream. */
  dlqSize: client.Gauge;
  /** Events behind their partition's watermark that corrected a closed bucket. */
  lateEvents: client.Counter<"family">;
  /** Events committed by workers (new and duplicate alike), by family. */
  eventsProcessed: client.Counter<"family">;
  /**
   * Receipts and inventory events that were recorded before (resends, replays after a crash):
   * they add nothing; the first batch of a run of them costs a second transaction
   * (pipeline/apply.ts).
   */
  duplicateEvents: client.Counter;
  /**
   * Seconds the oldest hour/day delta of each compaction waited between its batch and the
   * compaction's commit (how far those buckets trail the minute ones).
   */
  compactionLag: client.Histogram;
  /** 1 when this process's Redis client is connected at scrape time, else 0. */
  redisUp: client.Gauge;
  /**
   * Consumer loops this process runs: TILLSTREAM_WORKER_CONSUMERS, or
   * TILLSTREAM_WORKER_MAX_CONSUMERS while the streams hold a backlog (pipeline/worker.ts).
   */
  consumerLoops: client.Gauge;
}

/** Builds a fresh registry with every figure (tests use their own; the app uses {@link metrics}). */
export function createMetrics(): Metrics {
  const registry = new client.Registry();
  const registers = [registry];
  new client.Gauge({
    name: "tillstream_process_resident_memory_bytes",
    help: "Resident memory of this process in bytes.",
    registers,
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
  new client.Gauge({
    name: "tillstream_process_heap_used_bytes",
    help: "JavaScript heap in use by this process in bytes (what a leak would grow).",
    registers,
    collect() {
      this.set(Deno.memoryUsage().heapUsed);
    },
  });
  new client.Gauge({
    name: "tillstream_process_external_memory_bytes",
    help:
      "Memory outside the JavaScript heap held by its objects (buffers, WebAssembly memories) in bytes.",
    registers,
    collect() {
      this.set(Deno.memoryUsage().external);
    },
  });
  return {
    registry,
    pipelineLag: new client.Gauge({
      name: "tillstream_pipeline_lag",
      help: "Stream entries not yet acknowledged by the worker group (undelivered + pending).",
      labelNames: ["family", "partition"] as const,
      registers,
    }),
    batchSize: new client.Histogram({
      name: "tillstream_batch_size",
      help: "Messages per batch read by a worker.",
      labelNames: ["family"] as const,
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    }),
    commitLatency: new client.Histogram({
      name: "tillstream_commit_latency_seconds",
      help: "Seconds from reading a batch to committing it in PostgreSQL.",
      labelNames: ["family"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    dlqSize: new client.Gauge({
      name: "tillstream_dlq_size",
      help: "Entries in the dead-letter stream (inspect and replay them with the CLI).",
      registers,
    }),
    lateEvents: new client.Counter({
      name: "tillstream_late_events_total",
      help: "Events behind their partition's watermark (they still correct the totals).",
      labelNames: ["family"] as const,
      registers,
    }),
    eventsProcessed: new client.Counter({
      name: "tillstream_events_processed_total",
      help: "Events committed by workers, by family.",
      labelNames: ["family"] as const,
      registers,
    }),
    duplicateEvents: new client.Counter({
      name: "tillstream_duplicate_events_total",
      help: "Receipts and inventory events recorded before (resends, replays); they add nothing.",
      registers,
    }),
    compactionLag: new client.Histogram({
      name: "tillstream_compaction_lag_seconds",
      help: "Seconds the oldest hour/day delta of a compaction waited to be folded in.",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    redisUp: new client.Gauge({
      name: "tillstream_redis_up",
      help: "1 when Redis is connected at scrape time; stream figures are stale while 0.",
      registers,
    }),
    consumerLoops: new client.Gauge({
      name: "tillstream_worker_consumer_loops",
      help: "Consumer loops this worker process runs (more while the streams hold a backlog).",
      registers,
    }),
  };
}

/** The process-wide figures, updated by the workers and served by `/metrics`. */
export const metrics: Metrics = createMetrics();

/** Fields of one XINFO GROUPS entry, from ioredis's flat [name, value, ...] array. */
function fields(flat: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = flat[i + 1];
  return out;
}

/**
 * Reads per-partition lag and the DLQ size from Redis into `m`. Lag is XINFO GROUPS `lag`
 * (entries not yet delivered to the group) plus `pending` (delivered, not acknowledged); when
 * Redis cannot tell the lag (after deletions inside the stream) the gauge shows NaN.
 */
export async function refreshStreamFigures(
  rt: { redis: Redis; keys: Keys; partitions: number },
  m: Metrics = metrics,
): Promise<void> {
  // A disconnected client queues commands until Redis returns: a scrape must not hang on it.
  m.redisUp.set(rt.redis.status === "ready" ? 1 : 0);
  if (rt.redis.status !== "ready") return;
  const pipe = rt.redis.pipeline();
  const slots: { family: string; partition: number }[] = [];
  for (const family of FAMILIES) {
    for (let p = 0; p < rt.partitions; p++) {
      pipe.xlen(rt.keys.stream(family, p));
      pipe.xinfo("GROUPS", rt.keys.stream(family, p));
      slots.push({ family, partition: p });
    }
  }
  pipe.xlen(rt.keys.dlq);
  const results = (await pipe.exec()) ?? [];
  slots.forEach(({ family, partition }, i) => {
    const [lenErr, len] = results[2 * i];
    const [, groups] = results[2 * i + 1];
    if (lenErr) throw lenErr;
    const group = ((groups ?? []) as unknown[][]).map(fields).find((g) => g.name === WORKER_GROUP);
    let lag: number;
    if (!group) lag = Number(len); // no group yet: nothing has been delivered
    else if (group.lag === null || group.lag === undefined) lag = NaN;
    else lag = Number(group.lag) + Number(group.pending ?? 0);
    m.pipelineLag.set({ family, partition: String(partition) }, lag);
  });
  const [dlqErr, dlq] = results[results.length - 1];
  if (dlqErr) throw dlqErr;
  m.dlqSize.set(Number(dlq));
}

/** The registry as Prometheus text, after refreshing the stream figures from Redis. */
export async function renderMetrics(
  rt: { redis: Redis; keys: Keys; partitions: number },
  m: Metrics = metrics,
): Promise<{ body: string; contentType: string }> {
  await refreshStreamFigures(rt, m);
  return { body: await m.registry.metrics(), contentType: m.registry.contentType };
}
