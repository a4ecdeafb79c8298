/**
 * The compactor: folds the hour and day deltas that batch transactions append to
 * `rollup_pending` (pipeline/apply.ts) into `rollup_hour` / `rollup_day` and the Redis series
 * store, and their register days from `register_pending` into `register_day`, a few times a
 * second, so each of those rows is rewritten once per compaction rather than once per batch.
 *
 * Exactly once: one transaction deletes the pending rows it folds and adds their sums to the
 * rollups. Redis gets the new absolute values before that transaction commits, the same rule
 * as "XACK last": if the write fails, the transaction rolls back and the deltas stay pending
 * for the next try; if the commit fails after the write, Redis briefly shows values that the
 * retry commits (it folds the same deltas, plus any newer ones; the series store keeps the
 * per-counter maximum). A transaction-scoped advisory lock lets one compactor of a database
 * run at a time, so every worker process may run one, and the `compactor_turn` row (stamped under
 * that lock with the database's clock) lets one compaction start per interval however many run:
 * each folds every bucket it touches whatever its number of deltas, so N compactors folding in
 * turn would cost N times as much for the same totals. Big batches (`COMPACT_BELOW` in
 * apply.ts) upsert the same rows themselves; both lock them in key order. After the commit, the
 * whole-store and chain-wide buckets it changed go out on `live:updates`, as a batch's do.
 */
import type { Runtime } from "../lib/runtime.ts";
import { errorMessage, log } from "../lib/log.ts";
import { execAll } from "../lib/redis.ts";
import { metrics } from "../lib/metrics.ts";
import { foldPending, foldRegisterPending, toBucket } from "./apply_sql.ts";
import { backoffMs } from "./recovery.ts";
import { sleep } from "../lib/clock.ts";
import { liveUpdate, publishLiveUpdate } from "./live_updates.ts";
import type { BucketValue, SeriesStore } from "./series.ts";

/** What one compaction folded in. */
export interface Compaction {
  /** Absolute values of the buckets it changed. */
  buckets: BucketValue[];
  /** Ids of the `rollup_pending` rows it folded (`ApplyResult.pending` of their batches). */
  folded: number[];
  /** Date.now() at its commit. */
  committedAt: number;
  /** When the oldest delta it folded was written (its batch transaction began), epoch ms. */
  oldest: number;
}

/** Options of {@link compactOnce}. */
export interface CompactOnceOptions {
  /**
   * Skip (return null) when some compaction of this database started less than this many ms ago
   * (by the database's clock); 0, the default, folds whenever the lock is free.
   */
  minGapMs?: number;
}

/**
 * Folds every pending delta in one transaction, writing the new absolute values to `series`
 * (when given) before the commit. Returns null when another compactor holds the lock, or when
 * the last compaction started less than `minGapMs` ago; a compaction with nothing pending
 * returns empty lists. Throws (and folds nothing) when PostgreSQL or Redis fails.
 */
export async function compactOnce(
  rt: Pick<Runtime, "sql">,
  series?: SeriesStore,
  { minGapMs = 0 }: CompactOnceOptions = {},
): Promise<Compaction | null> {
  const out = await rt.sql.begin(async (tx) => {
    const [{ locked }] = await tx<{ locked: boolean }[]>`
      select pg_try_advisory_xact_lock(hashtext('tillstream rollup compactor')) as locked`;
    if (!locked) return null;
    // Whose turn: the stamp is taken under the lock, so two compactors never both find it old.
    const turn = await tx`update compactor_turn set started_at = now()
      where started_at <= now() - ${minGapMs} * interval '1 millisecond' returning true`;
    if (turn.length === 0) return null;
    // In a big batch's order (pipeline/apply.ts): register days, then hours, then days.
    const [, hours, days] = await Promise.all([
      foldRegisterPending(tx),
      foldPending(tx, "hour"),
      foldPending(tx, "day"),
    ]);
    const buckets = [
      ...hours.map((r) => toBucket("hour", r)),
      ...days.map((r) => toBucket("day", r)),
    ];
    const folded = [...(hours[0]?.ids ?? []), ...(days[0]?.ids ?? [])].map(Number);
    const oldest = Math.min(hours[0]?.oldest_ms ?? Infinity, days[0]?.oldest_ms ?? Infinity);
    if (series && buckets.length) await series.write(buckets);
    return { buckets, folded, oldest };
  });
  return out && { ...out, committedAt: Date.now() };
}

/**
 * Publishes the whole-store and chain-wide buckets a compaction changed on `live:updates` (live
 * pages show today's totals from the day buckets). Already committed and in the series store,
 * so a failure only delays the pages until the next update: it is logged, not retried.
 */
async function announce(rt: Pick<Runtime, "redis" | "keys" | "clock">, c: Compaction) {
  const update = liveUpdate(rt.clock.now(), c.buckets, [], 0, 0);
  if (update.buckets.length === 0) return;
  try {
    const pipe = rt.redis.pipeline();
    publishLiveUpdate(pipe, rt.keys.liveUpdates, update);
    await execAll(pipe);
  } catch (e) {
    log.warn("live update of a compaction failed; live pages catch up with the next one", {
      error: errorMessage(e),
    });
  }
}

/**
 * The share of its interval after which a compactor takes its turn from another process's: its
 * own wake-ups drift by a few ms against the stamp (taken after the lock), and a gap of a whole
 * interval would make it skip every other turn of its own.
 */
export const TURN_SHARE = 0.8;

/** Options of {@link runCompactor}. */
export interface CompactorOptions {
  signal: AbortSignal;
  /**
   * Time between the starts of two compactions, ms (TILLSTREAM_COMPACT_MS): this compactor
   * wakes this often, and folds unless another process's compactor started one less than
   * {@link TURN_SHARE} of it ago.
   */
  everyMs: number;
  /** Called after each compaction that folded something (benchmark, tests). */
  onCompact?: (c: Compaction) => void;
  /** After the signal aborts, the last compaction waits for this (the batches in hand). */
  settled?: Promise<unknown>;
  /** How often `rollup_pending` and `register_pending` are vacuumed, ms (default 10 s). */
  vacuumEveryMs?: number;
}

/**
 * Compacts every `everyMs` until the signal aborts, backing off while PostgreSQL or Redis
 * fails (nothing is lost: the deltas wait in PostgreSQL), then, once `settled` has, once more,
 * so a worker that stops leaves nothing pending it could fold.
 */
export async function runCompactor(
  rt: Pick<Runtime, "sql" | "redis" | "keys" | "clock">,
  series: SeriesStore,
  o: CompactorOptions,
): Promise<void> {
  const once = async (minGapMs: number) => {
    const c = await compactOnce(rt, series, { minGapMs });
    if (c && c.folded.length) {
      metrics.compactionLag.observe(Math.max(0, c.committedAt - c.oldest) / 1000);
      await announce(rt, c);
      o.onCompact?.(c);
    }
  };
  let failures = 0;
  let vacuumed = Date.now();
  while (!o.signal.aborted) {
    const started = Date.now();
    try {
      await once(o.everyMs * TURN_SHARE);
      failures = 0;
      if (started - vacuumed >= (o.vacuumEveryMs ?? 10_000)) {
        // Each compaction leaves its folded rows dead; reclaim them here rather than trust
        // autovacuum to be on (it is off on some servers), or the table grows without bound.
        vacuumed = started;
        await rt.sql`vacuum rollup_pending, register_pending, compactor_turn`;
      }
      await sleep(Math.max(0, o.everyMs - (Date.now() - started)), o.signal);
    } catch (e) {
      const wait = backoffMs(failures++);
      log.warn("rollup compaction failed; retrying", { error: errorMessage(e), wait_ms: wait });
      await sleep(wait, o.signal);
    }
  }
  await o.settled?.catch(() => {});
  try {
    await once(0); // whoever's turn it is: what this worker's last batches left is folded now
  } catch (e) {
    log.warn("last rollup compaction failed; the next worker to start folds what is pending", {
      error: errorMessage(e),
    });
  }
}
