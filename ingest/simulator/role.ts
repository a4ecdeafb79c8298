/**
 * The `simulator` role of `deno task start` (off with TILLSTREAM_SIMULATOR=off): registers the
 * simulated stores if missing, backfills TILLSTREAM_SIMULATOR_BACKFILL_DAYS of history when the
 * database has no receipts yet, then runs live at TILLSTREAM_SIMULATOR_RATE receipts/s until
 * shutdown. It sends through the producer; the worker role running beside it processes.
 */
import type { RoleOptions } from "../../lib/roles.ts";
import type { Runtime } from "../../lib/runtime.ts";
import { log } from "../../lib/log.ts";
import { Simulator } from "./generator.ts";
import { backfill, ensureSimStores, live } from "./runner.ts";
import { xaddSender } from "./senders.ts";

/** Seed of the role's simulation: fixed, so every fresh install shows the same history. */
export const ROLE_SEED = 42;
const DAY_MS = 86_400_000;

/** Runs the simulator role until `signal` aborts. */
export async function runSimulatorRole(rt: Runtime, { signal }: RoleOptions): Promise<void> {
  await runSimulator(rt, { signal });
}

/**
 * The role's body, with the chain size open for tests. Resolves after shutdown with the days
 * it backfilled (0 when the database already had receipts).
 */
export async function runSimulator(
  rt: Runtime,
  { signal, stores = 50 }: { signal: AbortSignal; stores?: number },
): Promise<{ backfillDays: number }> {
  const now = rt.clock.now();
  const [{ any }] = await rt.sql<{ any: boolean }[]>`select exists(select 1 from receipts) as any`;
  const days = any ? 0 : rt.config.TILLSTREAM_SIMULATOR_BACKFILL_DAYS;
  const start = now - days * DAY_MS;
  const sim = new Simulator({ seed: ROLE_SEED, start, stores });
  const added = await ensureSimStores(rt, sim.stores);
  if (added.length) log.info("simulator registered its stores", { stores: added.length });
  const sender = xaddSender(rt);
  if (start < now) {
    log.info("simulator backfilling history", { days });
    const t0 = Date.now();
    let lastLog = t0;
    const stats = await backfill(rt, sim, sender, {
      until: now,
      signal,
      onHour: (done, total) => {
        if (Date.now() - lastLog < 10_000) return;
        lastLog = Date.now();
        log.info("simulator backfill progress", { hours: done, of: total });
      },
    });
    log.info("simulator backfill sent", {
      ...stats,
      seconds: Math.round((Date.now() - t0) / 1000),
    });
  }
  if (signal.aborted) return { backfillDays: days };
  const rate = rt.config.TILLSTREAM_SIMULATOR_RATE;
  if (rate <= 0) {
    log.info("simulator live mode off (TILLSTREAM_SIMULATOR_RATE=0)");
    await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
    return { backfillDays: days };
  }
  log.info("simulator live", { rate_per_s: rate });
  await live(rt, sim, sender, { rate, signal });
  return { backfillDays: days };
}
