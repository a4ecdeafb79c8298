/**
 * Every Redis key and stream name Tillstream uses, in one place. Names carry the deployment's
 * key prefix; partitioned names put the partition in a hash tag (`{p}`) so Redis Cluster spreads
 * partitions across slots while keeping one partition's keys together.
 */

/** Event families, each with its own partitioned streams and consumer group. */
export const FAMILIES = ["sales", "inventory", "customers"] as const;
/** One event family. */
export type Family = typeof FAMILIES[number];

/** Consumer group name for each family's workers. */
export const WORKER_GROUP = "workers";

/** Builds key names for one prefix. */
export function keysFor(prefix = "") {
  return {
    prefix,
    /** Stream for one family and partition, e.g. `pos:sales:{2}`. */
    stream: (family: Family, partition: number) => `${prefix}pos:${family}:{${partition}}`,
    /** All streams of a family. */
    streams: (family: Family, partitions: number) =>
      Array.from({ length: partitions }, (_, p) => `${prefix}pos:${family}:{${p}}`),
    /** Dead-letter stream. */
    dlq: `${prefix}pos:dlq`,
    /** Capped stream of compact updates for the web tier. */
    liveUpdates: `${prefix}live:updates`,
    /** Alert events for the web tier's in-app feed. */
    alertUpdates: `${prefix}live:alerts`,
    /** Per-partition watermark (max event time seen, ms). */
    watermark: (family: Family, partition: number) => `${prefix}wm:${family}:{${partition}}`,
    /** Delivery attempts of a stream entry that keeps failing. */
    failures: (stream: string) => `${prefix}fail:${stream}`,
    /** One series of the core-Redis store (pipeline/series_core.ts), by its name there. */
    agg: (seriesKey: string) => `${prefix}agg:${seriesKey}`,
    /** RedisTimeSeries key of one metric of one series (pipeline/series_ts.ts). */
    tsSeries: (seriesId: string, metric: string) => `${prefix}ts:{${seriesId}}:${metric}`,
    /**
     * Hash: series id -> epoch ms since which Redis holds every bucket of it (query seam).
     * Renamed from `agg:coverage` when the core store's keys moved to the store's hash tag, so
     * marks of the old keys are not trusted after an upgrade (the series re-hydrate).
     */
    seriesCoverage: `${prefix}agg:covered`,
    /** Scheduler job lock. */
    jobLock: (job: string) => `${prefix}lock:job:${job}`,
    /** Pipeline operator figures (lag, batch sizes...). */
    stats: `${prefix}stats:pipeline`,
    /** What the simulator role is doing (backfilling, live), for the dashboard's empty state. */
    simulatorState: `${prefix}sim:state`,
  };
}

/** The key names object returned by {@link keysFor}. */
export type Keys = ReturnType<typeof keysFor>;

/** Partition of a store: FNV-1a hash of the store id, mod P. Stable across processes. */
export function partitionOf(storeId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < storeId.length; i++) {
    h ^= storeId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}
