/**
 * `deno task bench pipeline [--seconds N] [--rate R] [--consumers C] [--max-consumers M]
 * [--batch B] [--linger MS] [--compact-every MS] [--timeline] [--json]` (C defaults to 2; M, B and
 * MS default to the configuration, as in production):
 * the full stream path — XADD → worker → PostgreSQL + Redis → live:updates — on a database and
 * key prefix of its own (removed at the end).
 *
 * A Web Worker produces receipts (event time = now) at R events/s, or, without --rate, as fast
 * as a backlog cap allows (then `events_per_s` is the worker's sustained throughput). The
 * stream workers run in this process; per entry, latency is measured from its XADD (the entry
 * id's millisecond part, Redis's clock on this machine) to its batch's PostgreSQL commit and to
 * its values being written to Redis, and (`compacted`) to its hour and day buckets being
 * folded in by the compactor. `worker_rss_mb` is this process's resident memory.
 * `--timeline` adds `timeline`: XADD → visible in Redis per second of the run (by XADD time), to
 * see whether a tail is spread out or comes in bursts.
 */
import { loadConfig } from "../lib/config.ts";
import type { Sql } from "../lib/db.ts";
import type { Redis } from "../lib/redis.ts";
import { migrate } from "../lib/migrate.ts";
import { openScratch } from "./support/scratch.ts";
import { setLogLevel } from "../lib/log.ts";
import { numberFlag, parseCli, settingFlag, UsageError } from "../cli/args.ts";
import { runWorkers } from "../pipeline/worker.ts";
import type { BatchInfo } from "../pipeline/batch.ts";
import type { Compaction } from "../pipeline/compact.ts";
import { seedStores } from "../tests/pipeline_fixtures.ts";
import { drained } from "../tests/pipeline_helpers.ts";
import type { ProducerJob, ProducerResult } from "./support/pipeline_producer.ts";
import process from "node:process";

const OPTIONS = {
  seconds: { type: "string" },
  rate: { type: "string" },
  consumers: { type: "string" },
  "max-consumers": { type: "string" },
  batch: { type: "string" },
  linger: { type: "string" },
  "compact-every": { type: "string" },
  stores: { type: "string" },
  timeline: { type: "boolean" },
  json: { type: "boolean" },
} as const;

/** Latencies in 1 ms bins up to `maxMs` (60 s): constant memory whatever the event count. */
class Histogram {
  bins: Uint32Array;
  n = 0;
  max = 0;
  constructor(readonly maxMs = 60_000) {
    this.bins = new Uint32Array(maxMs + 1);
  }
  add(ms: number, count = 1) {
    this.bins[Math.max(0, Math.min(this.maxMs, Math.round(ms)))] += count;
    this.n += count;
    this.max = Math.max(this.max, ms);
  }
  pct(p: number): number {
    let want = Math.ceil(this.n * p), seen = 0;
    for (let i = 0; i < this.bins.length; i++) {
      seen += this.bins[i];
      if (seen >= want && want > 0) return i;
    }
    want = 0;
    return want;
  }
  summary() {
    return { p50: this.pct(0.5), p95: this.pct(0.95), p99: this.pct(0.99) };
  }
}

const mb = (b: number) => Math.round(b / 1048576);

/**
 * CPU seconds used so far by this process, by the PostgreSQL backends serving the benchmark's
 * database (from /proc, so only on Linux with the server on this machine; null elsewhere), and
 * by Redis (INFO cpu; the server is shared, so it includes other clients). On a shared machine
 * events/s measure the neighbours too; CPU per event does not.
 */
async function cpuNow(rt: { sql: Sql; redis: Redis }, db: string) {
  const u = process.cpuUsage();
  let pg: number | null = null;
  try {
    const pids = await rt.sql<{ pid: number }[]>`
      select pid from pg_stat_activity where datname = ${db}`;
    const hz = 100; // USER_HZ on Linux
    pg = 0;
    for (const { pid } of pids) {
      const f = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
      pg += (Number(f[11]) + Number(f[12])) / hz;
    }
  } catch {
    pg = null;
  }
  const info = await rt.redis.info("cpu");
  const num = (k: string) => Number(new RegExp(`${k}:([0-9.]+)`).exec(info)?.[1] ?? NaN);
  return {
    proc: (u.user + u.system) / 1e6,
    pg,
    redis: num("used_cpu_sys") + num("used_cpu_user"),
  };
}

/** Runs the pipeline benchmark; prints a summary or JSON. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const seconds = numberFlag("seconds", values.seconds, { above: 0 }) ?? 10;
  const rate = numberFlag("rate", values.rate, { min: 0 }) ?? 0;
  const consumers = settingFlag("consumers", values.consumers, "TILLSTREAM_WORKER_CONSUMERS") ?? 2;
  const maxConsumers = Math.max(
    consumers,
    settingFlag("max-consumers", values["max-consumers"], "TILLSTREAM_WORKER_MAX_CONSUMERS") ??
      loadConfig().TILLSTREAM_WORKER_MAX_CONSUMERS,
  );
  const batch = settingFlag("batch", values.batch, "TILLSTREAM_WORKER_BATCH") ??
    loadConfig().TILLSTREAM_WORKER_BATCH;
  const storeCount = numberFlag("stores", values.stores, { integer: true, min: 1 }) ?? 50;
  const lingerMs = settingFlag("linger", values.linger, "TILLSTREAM_WORKER_LINGER_MS");
  const compactEveryMs = settingFlag(
    "compact-every",
    values["compact-every"],
    "TILLSTREAM_COMPACT_MS",
  );
  setLogLevel("warn");
  const scratch = await openScratch("bench-worker", {}, { poolSize: maxConsumers + 2 });
  const { rt, config } = scratch;
  const commit = new Histogram(), visible = new Histogram();
  // Entries added after the warm-up that events_per_s also leaves out (first connections,
  // cold caches, the first rows of each bucket).
  const steadyCommit = new Histogram(), steadyVisible = new Histogram();
  // XADD → the batch's hour and day buckets folded in by the compactor.
  const compacted = new Histogram(), steadyCompacted = new Histogram();
  const awaitingFold = new Map<number, number[]>(); // pending row id → XADD times of its batch
  // --timeline: XADD → visible per second of XADD time (bins to 5 s; the max is exact).
  const perSecond: Histogram[] = [];
  const stats = {
    batches: 0,
    events: 0,
    txMs: 0,
    redisMs: 0,
    windowEvents: 0,
    compactions: 0,
    folded: 0,
  };
  const phases = { keys: 0, writes: 0, inventory: 0, commit: 0 };
  // [Date.now(), consumer loops] whenever the loops change width (pipeline/worker.ts).
  const loopChanges: [number, number][] = [];
  const onWidth = (loops: number) => loopChanges.push([Date.now(), loops]);
  // Batches by how their transaction ran (pipeline/apply.ts: optimistic, rerun, keys-first).
  const paths: Record<string, number> = {};
  let windowStart = Infinity, windowEnd = 0, started = Infinity;
  const onBatch = (b: BatchInfo) => {
    stats.batches++;
    stats.events += b.entries.length;
    paths[b.result.path] = (paths[b.result.path] ?? 0) + 1;
    stats.txMs += b.committedAt - b.readAt;
    stats.redisMs += b.visibleAt - b.committedAt;
    for (const k of Object.keys(phases) as (keyof typeof phases)[]) {
      phases[k] += b.result.timings[k];
    }
    if (b.committedAt >= windowStart && b.committedAt <= windowEnd) {
      stats.windowEvents += b.entries.length;
    }
    const addedTimes: number[] = [];
    for (const e of b.entries) {
      const added = Number(e.id.slice(0, e.id.indexOf("-")));
      addedTimes.push(added);
      commit.add(b.committedAt - added);
      visible.add(b.visibleAt - added);
      if (values.timeline) {
        const s = Math.max(0, Math.floor((added - started) / 1000));
        (perSecond[s] ??= new Histogram(5_000)).add(b.visibleAt - added);
      }
      if (added >= windowStart) {
        steadyCommit.add(b.committedAt - added);
        steadyVisible.add(b.visibleAt - added);
      }
    }
    // A batch's hour and day rows are folded by the same compaction: track it by the first.
    if (b.result.pending.length) awaitingFold.set(b.result.pending[0], addedTimes);
  };
  const onCompact = (c: Compaction) => {
    stats.compactions++;
    for (const id of c.folded) {
      const times = awaitingFold.get(id);
      if (!times) continue;
      awaitingFold.delete(id);
      stats.folded++;
      for (const added of times) {
        compacted.add(c.committedAt - added);
        if (added >= windowStart) steadyCompacted.add(c.committedAt - added);
      }
    }
  };
  const producer = new Worker(new URL("./support/pipeline_producer.ts", import.meta.url), {
    type: "module",
  });
  const controller = new AbortController();
  let out: Record<string, unknown> = {};
  try {
    await migrate(rt.sql);
    const stores = await seedStores(rt.sql, storeCount);
    const rssStart = Deno.memoryUsage().rss;
    const cpuStart = await cpuNow(rt, scratch.database);
    const workers = runWorkers(rt, {
      signal: controller.signal,
      consumers,
      maxConsumers,
      batch,
      onBatch,
      onWidth,
      lingerMs,
      compactEveryMs,
      onCompact,
    });
    const job: ProducerJob = {
      redisUrl: config.REDIS_URL,
      prefix: config.TILLSTREAM_KEY_PREFIX,
      partitions: rt.partitions,
      stores,
      seconds,
      rate,
      maxBacklog: 100_000,
    };
    const done = new Promise<ProducerResult>((resolve, reject) => {
      producer.onmessage = (e) => resolve(e.data);
      producer.onerror = (e) => reject(new Error(`producer failed: ${e.message}`));
    });
    // The first second is warm-up (connections, JIT, first partitions); measure after it.
    started = Date.now();
    windowStart = started + Math.min(1000, seconds * 200);
    windowEnd = started + seconds * 1000;
    producer.postMessage(job);
    const rssSamples: number[] = [];
    const sampler = setInterval(() => rssSamples.push(Deno.memoryUsage().rss), 500);
    const produced = await done;
    await drained(rt, 120_000);
    clearInterval(sampler);
    const cpuEnd = await cpuNow(rt, scratch.database);
    const perEvent = (a: number | null, b: number | null) =>
      a === null || b === null ? null : Math.round((b - a) * 1e6 / Math.max(1, stats.events));
    controller.abort();
    await workers;
    const [{ n }] = await rt.sql`select count(*)::int n from receipts`;
    const live = await rt.redis.xlen(rt.keys.liveUpdates);
    out = {
      benchmark: "pipeline",
      cores: navigator.hardwareConcurrency,
      seconds,
      rate: rate || "max",
      consumers,
      max_consumers: maxConsumers,
      // Seconds into the run and the number of consumer loops from then on.
      consumer_loops: loopChanges.map((
        [at, loops],
      ) => [Number(((at - started) / 1000).toFixed(1)), loops]),
      batch,
      linger_ms: lingerMs ?? "default",
      stores: storeCount,
      produced: produced.sent,
      committed_receipts: n,
      events_per_s: Math.round(stats.windowEvents / ((windowEnd - windowStart) / 1000)),
      latency_ms: {
        commit: commit.summary(),
        redis: visible.summary(),
        steady: {
          commit: steadyCommit.summary(),
          redis: steadyVisible.summary(),
          compacted: steadyCompacted.summary(),
        },
        compacted: compacted.summary(),
      },
      worker_rss_mb: {
        start: mb(rssStart),
        max: mb(Math.max(rssStart, ...rssSamples)),
        end: mb(Deno.memoryUsage().rss),
        // One sample per tenth of the run, to see whether memory stays flat.
        every_tenth: Array.from(
          { length: 10 },
          (_, i) => mb(rssSamples[Math.floor((i + 1) * rssSamples.length / 10) - 1] ?? rssStart),
        ),
      },
      // CPU per committed event over the whole run (start to drained): this process (stream
      // workers and the producer thread), the producer thread alone (the load generator, which
      // stands in for the point-of-sale systems: part of bench_process and of Redis's XADD
      // work), the benchmark database's PostgreSQL backends, Redis.
      cpu_us_per_event: {
        bench_process: perEvent(cpuStart.proc, cpuEnd.proc),
        producer: perEvent(0, produced.cpuSeconds),
        postgres: perEvent(cpuStart.pg, cpuEnd.pg),
        redis: perEvent(cpuStart.redis, cpuEnd.redis),
      },
      batches: stats.batches,
      batch_paths: paths,
      avg_batch: Math.round(stats.events / Math.max(1, stats.batches)),
      avg_read_to_commit_ms: Number((stats.txMs / Math.max(1, stats.batches)).toFixed(1)),
      avg_redis_write_ms: Number((stats.redisMs / Math.max(1, stats.batches)).toFixed(1)),
      avg_transaction_phase_ms: Object.fromEntries(
        Object.entries(phases).map((
          [k, v],
        ) => [k, Number((v / Math.max(1, stats.batches)).toFixed(1))]),
      ),
      compact_every_ms: compactEveryMs ?? "default",
      compactions: stats.compactions,
      avg_batches_per_compaction: Number(
        (stats.folded / Math.max(1, stats.compactions)).toFixed(1),
      ),
      live_updates: live,
      ...(values.timeline
        ? {
          timeline: [...perSecond].map((h, s) => ({
            s,
            entries: h?.n ?? 0,
            ...(h ? h.summary() : {}),
            max: Math.round(h?.max ?? 0),
          })),
        }
        : {}),
    };
  } finally {
    controller.abort();
    producer.terminate();
    await scratch.close();
  }
  if (values.json) console.log(JSON.stringify(out));
  else {
    const l = out.latency_ms as Record<string, Record<string, number>> & {
      steady: Record<string, Record<string, number>>;
    };
    const r = out.worker_rss_mb as Record<string, number>;
    console.log(
      [
        `pipeline: ${out.events_per_s} events/s committed (rate ${out.rate}, ${seconds} s, ${
          consumers === maxConsumers ? consumers : `${consumers}–${maxConsumers}`
        } consumers, batch ≤ ${batch})`,
        `latency XADD → PostgreSQL commit  p50 ${l.commit.p50} ms  p95 ${l.commit.p95} ms  p99 ${l.commit.p99} ms`,
        `latency XADD → visible in Redis   p50 ${l.redis.p50} ms  p95 ${l.redis.p95} ms  p99 ${l.redis.p99} ms`,
        `  after the first second           p50 ${l.steady.redis.p50} ms  p95 ${l.steady.redis.p95} ms  p99 ${l.steady.redis.p99} ms`,
        `latency XADD → hours and days folded in (compactor)  p50 ${l.compacted.p50} ms  p95 ${l.compacted.p95} ms  p99 ${l.compacted.p99} ms`,
        `  after the first second           p50 ${l.steady.compacted.p50} ms  p95 ${l.steady.compacted.p95} ms  p99 ${l.steady.compacted.p99} ms`,
        `compactions ${out.compactions} (every ${out.compact_every_ms} ms, avg ${out.avg_batches_per_compaction} batches each)`,
        `consumer loops (s, loops): ${JSON.stringify(out.consumer_loops)}`,
        `batches ${out.batches} (avg ${out.avg_batch} entries, read→commit ${out.avg_read_to_commit_ms} ms, Redis write ${out.avg_redis_write_ms} ms)`,
        `transaction phases (avg ms): ${JSON.stringify(out.avg_transaction_phase_ms)}`,
        `CPU per event (µs): ${JSON.stringify(out.cpu_us_per_event)}`,
        `worker RSS ${r.start} → max ${r.max} → ${r.end} MB; ${out.committed_receipts} receipts in PostgreSQL; ${out.live_updates} live updates`,
      ].join("\n"),
    );
    const timeline = out.timeline as Record<string, number>[] | undefined;
    if (timeline) {
      console.log("XADD → visible in Redis per second of XADD time (s: entries p50/p99/max ms):");
      for (const t of timeline) {
        console.log(`  ${t.s}: ${t.entries} ${t.p50 ?? "-"}/${t.p99 ?? "-"}/${t.max}`);
      }
    }
  }
  return 0;
}
