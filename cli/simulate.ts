/**
 * `deno task simulate [--seed N] [--rate R] [--days N] [--mode live|backfill] [--via xadd|http]
 * [--stores 50] [--shape daily|flat] [--url URL] [--external-workers]`: the POS simulator.
 * Backfill sends N days of history as fast as the pipeline takes it and exits when the workers
 * have processed it; live sends R receipts/s (mean) on the wall clock until Ctrl-C: spread over
 * the stores' hours (`daily`, none at night), or the same every hour with `--shape flat`. With
 * `--via xadd` it runs workers in this process unless --external-workers says a worker process
 * is running.
 */
import { numberFlag, parseCli, runCli, UsageError, withRuntime } from "./args.ts";
import type { Runtime } from "../lib/runtime.ts";
import { Simulator } from "../ingest/simulator/generator.ts";
import { backfill, ensureSimStores, live, naturalRate } from "../ingest/simulator/runner.ts";
import { httpSender, type Sender, xaddSender } from "../ingest/simulator/senders.ts";
import { startWorkers, waitProcessed } from "../ingest/csv/drain.ts";
import type { TrafficShape } from "../ingest/simulator/seasonality.ts";

/** Default live rate: the original system's 500,000 receipts a day. */
export const ORIGINAL_SYSTEM_RATE = Math.round(500_000 / 86_400 * 100) / 100;

/** Usage text of the simulate CLI. */
export const USAGE = `usage:
  deno task simulate [--seed N] [--mode live|backfill] [--days N] [--rate R] [--stores 1-50]
                     [--shape daily|flat] [--via xadd|http] [--url http://127.0.0.1:8000]
                     [--external-workers] [--json]
examples:
  deno task simulate --mode backfill --days 28 --seed 7
  deno task simulate --mode live --rate 20 --via http --url http://127.0.0.1:8000
live mode defaults to --rate 5.79 (the original system's 500,000 receipts/day), spread over
the stores' opening hours and peaks (--shape daily: nothing at night); --shape flat sends the
same rate every hour.`;

const OPTIONS = {
  seed: { type: "string" },
  rate: { type: "string" },
  days: { type: "string" },
  mode: { type: "string" },
  via: { type: "string" },
  stores: { type: "string" },
  shape: { type: "string" },
  url: { type: "string" },
  "external-workers": { type: "boolean" },
  json: { type: "boolean" },
} as const;

function parse(args: string[]) {
  const { values: v, positionals } = parseCli(args, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const mode = v.mode ?? "live";
  if (mode !== "live" && mode !== "backfill") {
    throw new UsageError(`--mode must be live or backfill, got ${JSON.stringify(mode)}`);
  }
  const via = v.via ?? "xadd";
  if (via !== "xadd" && via !== "http") {
    throw new UsageError(`--via must be xadd or http, got ${JSON.stringify(via)}`);
  }
  const shape = v.shape ?? "daily";
  if (shape !== "daily" && shape !== "flat") {
    throw new UsageError(`--shape must be daily or flat, got ${JSON.stringify(shape)}`);
  }
  const int = (name: string, raw: string | undefined, min: number, max: number) =>
    numberFlag(name, raw, { integer: true, min, max });
  const rate = numberFlag("rate", v.rate, { above: 0 });
  return {
    mode,
    via,
    seed: int("seed", v.seed, 0, 2 ** 31 - 1) ?? 1,
    days: int("days", v.days, 1, 3650),
    stores: int("stores", v.stores, 1, 50) ?? 50,
    shape: shape as TrafficShape,
    rate,
    url: v.url,
    external: v["external-workers"] ?? false,
    json: v.json ?? false,
  };
}

/** Runs the simulator on `rt`; returns the closing summary. */
export async function simulateCommand(rt: Runtime, args: string[]): Promise<string> {
  const o = parse(args);
  const now = rt.clock.now();
  const days = o.days ?? rt.config.TILLSTREAM_SIMULATOR_BACKFILL_DAYS;
  const start = o.mode === "backfill" ? now - days * 86_400_000 : now;
  const sim = new Simulator({ seed: o.seed, stores: o.stores, start, shape: o.shape });
  const added = await ensureSimStores(rt, sim.stores);
  const sender: Sender = o.via === "http"
    ? await httpSender(rt, o.url ?? `http://127.0.0.1:${rt.config.PORT}`)
    : xaddSender(rt);
  const workers = o.via === "xadd" && !o.external ? startWorkers(rt) : null;
  const ctl = new AbortController();
  const onSignal = () => ctl.abort();
  Deno.addSignalListener("SIGINT", onSignal);
  const t0 = performance.now();
  try {
    let stats;
    if (o.mode === "backfill") {
      let last = 0;
      stats = await backfill(rt, sim, sender, {
        until: now,
        signal: ctl.signal,
        onHour: (done, total) => {
          if (performance.now() - last < 1000 || !Deno.stderr.isTerminal()) return;
          last = performance.now();
          Deno.stderr.writeSync(new TextEncoder().encode(`\r\x1b[2Khour ${done}/${total}`));
        },
      });
      if (workers && sender.marks) await waitProcessed(rt, sender.marks, { timeoutMs: 300_000 });
    } else {
      const rate = o.rate ?? ORIGINAL_SYSTEM_RATE;
      console.error(
        `simulating ${sim.stores.length} stores live at ${rate} receipts/s (natural ${
          naturalRate(sim.stores).toFixed(2)
        }/s, ${
          o.shape === "flat" ? "the same every hour" : "over the stores' hours: none at night"
        }); Ctrl-C to stop`,
      );
      stats = await live(rt, sim, sender, { rate, signal: ctl.signal });
    }
    const seconds = (performance.now() - t0) / 1000;
    const summary = { mode: o.mode, seed: o.seed, stores_added: added.length, ...stats, seconds };
    return o.json ? JSON.stringify(summary) : [
      `${o.mode} done in ${seconds.toFixed(1)} s: ${stats.events.toLocaleString("en")} events, ${
        stats.accepted.toLocaleString("en")
      } accepted, ${stats.rejected} rejected${
        stats.firstError ? ` (first: ${stats.firstError})` : ""
      }`,
      `${stats.labels} anomaly labels written; ${added.length} stores registered`,
    ].join("\n");
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    await workers?.stop();
  }
}

if (import.meta.main) {
  await runCli("simulate", USAGE, withRuntime("simulate", simulateCommand, parse));
}
