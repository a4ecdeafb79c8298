/**
 * Running the simulator against a deployment: register its stores, backfill history as fast as
 * the pipeline takes it, then run live on the wall clock at a chosen rate. Anomaly labels are
 * written to `anomaly_labels` as each anomaly starts, once (a unique index makes reruns safe).
 */
import type { Runtime } from "../../lib/runtime.ts";
import { addStore, invalidateStoreDirectory, listStores } from "../../lib/stores.ts";
import { log } from "../../lib/log.ts";
import { HOUR_MS, sleep } from "../../lib/clock.ts";
import type { Anomaly } from "./anomalies.ts";
import { type SimStore, storeRecord } from "./cities.ts";
import type { Simulator } from "./generator.ts";
import { BASE_DAILY_RECEIPTS } from "./seasonality.ts";
import { QUARTER_MS } from "./store_sim.ts";
import type { Sender } from "./senders.ts";

/** Adds the simulated stores the database lacks; returns the ids added. */
export async function ensureSimStores(rt: Runtime, stores: SimStore[]): Promise<string[]> {
  const have = new Set((await listStores(rt.sql)).map((s) => s.id));
  const added: string[] = [];
  for (const s of stores) {
    if (have.has(s.id)) continue;
    await addStore(rt.sql, storeRecord(s)).catch((e) => {
      if (!/already exists/.test((e as Error).message)) throw e;
    });
    added.push(s.id);
  }
  if (added.length) invalidateStoreDirectory(rt);
  return added;
}

/** Writes anomaly labels, skipping any already written. */
export async function writeLabels(rt: Runtime, labels: Anomaly[]): Promise<void> {
  if (!labels.length) return;
  const rows = labels.map((a) => ({
    kind: a.kind,
    store_id: a.storeId,
    register_id: a.registerId ?? null,
    sku: a.sku ?? null,
    starts_at: new Date(a.start),
    ends_at: new Date(a.end),
    details: rt.sql.json(a.details as never),
  }));
  await rt.sql`insert into anomaly_labels ${
    rt.sql(rows, "kind", "store_id", "register_id", "sku", "starts_at", "ends_at", "details")
  } on conflict (kind, store_id, starts_at) do nothing`;
}

/** Mean receipts per second of the chain at scale 1 (what `--rate` is measured against). */
export function naturalRate(stores: SimStore[]): number {
  return stores.reduce((a, s) => a + s.size, 0) * BASE_DAILY_RECEIPTS / 86_400;
}

/** Counters of a run. */
export interface RunStats {
  events: number;
  accepted: number;
  rejected: number;
  labels: number;
  firstError?: string;
}

async function step(
  rt: Runtime,
  sim: Simulator,
  sender: Sender,
  to: number,
  chunkMs: number,
  stats: RunStats,
  signal?: AbortSignal,
) {
  // `chunkMs` at a time: a live run starts at the top of its hour, so one started late in the
  // hour at hundreds of receipts a second would otherwise hold all of the hour so far at once.
  for (let t = sim.takenUntil; t < to && !signal?.aborted;) {
    t = Math.min(to, t + chunkMs);
    const events = sim.until(t);
    if (events.length) {
      const r = await sender.send(events.map((e) => e.event), signal);
      stats.events += events.length;
      stats.accepted += r.accepted;
      stats.rejected += r.rejected.length;
      if (r.rejected.length && !stats.firstError) {
        stats.firstError = r.rejected[0].error;
        log.warn("simulator events rejected", {
          count: r.rejected.length,
          first: r.rejected[0].error,
        });
      }
    }
    const labels = sim.labelsUntil(t);
    await writeLabels(rt, labels);
    stats.labels += labels.length;
  }
}

/**
 * Sends the simulator's history from its start up to `until`, an hour at a time, waiting on
 * the sender's backpressure. Stops early (keeping what was sent) when `signal` aborts.
 */
export async function backfill(
  rt: Runtime,
  sim: Simulator,
  sender: Sender,
  opts: { until: number; signal?: AbortSignal; onHour?: (done: number, total: number) => void },
): Promise<RunStats> {
  const stats: RunStats = { events: 0, accepted: 0, rejected: 0, labels: 0 };
  const total = Math.ceil((opts.until - sim.start) / HOUR_MS);
  let done = 0;
  for (let t = sim.start + HOUR_MS; !opts.signal?.aborted; t += HOUR_MS) {
    const to = Math.min(t, opts.until);
    await step(rt, sim, sender, to, HOUR_MS, stats, opts.signal);
    opts.onHour?.(++done, total);
    if (to >= opts.until) break;
  }
  return stats;
}

/**
 * Runs on the wall clock (rt.clock) until `signal` aborts: every `tickMs` it sends the events
 * whose time has come. `rate` is the chain's mean receipts per second; the daily and weekly
 * shape stays, so the instantaneous rate swings around it.
 */
export async function live(
  rt: Runtime,
  sim: Simulator,
  sender: Sender,
  opts: { rate: number; signal: AbortSignal; tickMs?: number },
): Promise<RunStats> {
  sim.scale = opts.rate / naturalRate(sim.stores);
  const stats: RunStats = { events: 0, accepted: 0, rejected: 0, labels: 0 };
  let lastLog = Date.now();
  while (!opts.signal.aborted) {
    await step(rt, sim, sender, rt.clock.now(), QUARTER_MS, stats, opts.signal);
    if (Date.now() - lastLog > 60_000) {
      lastLog = Date.now();
      log.info("simulator live", { ...stats });
    }
    await sleep(opts.tickMs ?? 250, opts.signal);
  }
  return stats;
}
