/**
 * `deno task bench ingest [--seconds N] [--clients C] [--producers P] [--batch B] [--json]
 * [--direct-only] [--http-only] [--server app|handler]`: accepted events per second
 *
 *  - direct: `publish()` (pipelined XADD) of B-event batches from P concurrent producers;
 *  - http: `POST /api/v1/events` with JSON batches from C concurrent clients against a server
 *    started in this process on port 0 (the full web app by default, or the bare handler).
 *
 * Runs on a database and Redis key prefix of its own, removed at the end. Streams are emptied
 * every second while it runs so Redis memory stays flat (nothing consumes them).
 */
import process from "node:process";
import { migrate } from "../lib/migrate.ts";
import type { Runtime } from "../lib/runtime.ts";
import { openScratch } from "./support/scratch.ts";
import { type PosEvent, validateEvent } from "../lib/events.ts";
import { addStore } from "../lib/stores.ts";
import { createKey } from "../lib/connector_keys.ts";
import { FAMILIES } from "../lib/keys.ts";
import { numberFlag, parseCli, UsageError } from "../cli/args.ts";
import { publish } from "../ingest/producer.ts";
import { handleEvents } from "../ingest/http.ts";
import type { ClientJob, ClientResult } from "./support/http_client.ts";

const OPTIONS = {
  seconds: { type: "string" },
  clients: { type: "string" },
  producers: { type: "string" },
  batch: { type: "string" },
  json: { type: "boolean" },
  "direct-only": { type: "boolean" },
  "http-only": { type: "boolean" },
  server: { type: "string" },
} as const;

const STORES = 20;
const CATEGORIES = ["grocery", "dairy", "bakery", "drinks", "household", "toys", "garden", "pets"];

/** Raw sale events like a POS would send: 1-5 lines, store-local offsets. */
function rawSales(n: number, now: number, seed = 1): Record<string, unknown>[] {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const out = [];
  for (let i = 0; i < n; i++) {
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 5) }, () => ({
      sku: `SKU-${Math.floor(rnd() * 500)}`,
      category: CATEGORIES[Math.floor(rnd() * CATEGORIES.length)],
      quantity: 1 + Math.floor(rnd() * 3),
      unit_price_cents: 50 + Math.floor(rnd() * 5000),
    }));
    const total = lines.reduce((a, l) => a + l.quantity * l.unit_price_cents, 0);
    out.push({
      type: "sale",
      transaction_id: `b${seed}-${i}`,
      store_id: `bench-${i % STORES}`,
      register_id: `r${Math.floor(rnd() * 6)}`,
      customer_id: rnd() < 0.6 ? `c${Math.floor(rnd() * 10000)}` : undefined,
      timestamp: new Date(now - Math.floor(rnd() * 3_600_000)).toISOString(),
      currency: "EUR",
      payment: rnd() < 0.8 ? "card" : "cash",
      lines: lines.map((l) => ({
        sku: l.sku,
        category: l.category,
        quantity: l.quantity,
        unit_price: (l.unit_price_cents / 100).toFixed(2),
      })),
      total: (total / 100).toFixed(2),
    });
  }
  return out;
}

/**
 * CPU time per accepted event, of this process (server, clients, producer) and of Redis: a
 * figure that stays meaningful on a busy machine, where events/s mostly measure the neighbours.
 */
async function cpuMeter(rt: Runtime) {
  const redisCpu = async () => {
    const info = await rt.redis.info("cpu");
    const get = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
    return (get("used_cpu_user") + get("used_cpu_sys")) * 1e6;
  };
  const p0 = process.cpuUsage();
  const r0 = await redisCpu();
  return async (events: number) => {
    const p = process.cpuUsage(p0);
    const r = await redisCpu();
    const per = (us: number) => Number((us / Math.max(1, events)).toFixed(2));
    return { processUsPerEvent: per(p.user + p.system), redisUsPerEvent: per(r - r0) };
  };
}

async function runFor(seconds: number, workers: number, step: () => Promise<number>) {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let accepted = 0;
  await Promise.all(Array.from({ length: workers }, async () => {
    while (performance.now() < deadline) {
      const n = await step(); // not `accepted += await step()`: that reads accepted before awaiting
      accepted += n;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  return {
    accepted,
    seconds: Number(elapsed.toFixed(2)),
    perSecond: Math.round(accepted / elapsed),
  };
}

async function benchDirect(rt: Runtime, seconds: number, producers: number, batch: number) {
  const now = rt.clock.now();
  const events: PosEvent[] = rawSales(batch, now).map((r) => {
    const v = validateEvent(r, { now });
    if (!v.ok) throw new Error(`bench event invalid: ${v.error}`);
    return v.event;
  });
  return await runFor(seconds, producers, async () => (await publish(rt, events)).length);
}

async function benchHttp(
  rt: Runtime,
  seconds: number,
  clients: number,
  batch: number,
  server: "app" | "handler",
) {
  const { key } = await createKey(rt.sql, { name: "bench" });
  let fetchFn: (req: Request) => Response | Promise<Response> = (req) => handleEvents(req, rt);
  let used: "app" | "handler" = "handler";
  if (server === "app") {
    try {
      const { createApp } = await import("../lib/web/app.ts");
      const app = await createApp(rt);
      fetchFn = (req) => app.fetch(req);
      used = "app";
    } catch (e) {
      console.error(`bench: web app unavailable (${(e as Error).message}); serving the handler`);
    }
  }
  const ac = new AbortController();
  const srv = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: ac.signal, onListen: () => {} },
    fetchFn,
  );
  const url = `http://127.0.0.1:${srv.addr.port}/api/v1/events`;
  const now = rt.clock.now();
  const bodies = Array.from({ length: 8 }, (_, i) => JSON.stringify(rawSales(batch, now, i + 2)));
  const worker = new Worker(new URL("./support/http_client.ts", import.meta.url), {
    type: "module",
  });
  try {
    const done = new Promise<ClientResult>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`client worker failed: ${e.message}`));
    });
    worker.postMessage({ url, key, bodies, seconds, clients } satisfies ClientJob);
    const r = await done;
    if (r.firstError) console.error(`bench: ${r.failed} request(s) failed; first: ${r.firstError}`);
    return {
      accepted: r.accepted,
      seconds: Number(r.seconds.toFixed(2)),
      perSecond: Math.round(r.accepted / r.seconds),
      clients,
      batch,
      server: used,
      requests: r.requests,
      failedRequests: r.failed,
    };
  } finally {
    worker.terminate();
    ac.abort();
    await srv.finished;
  }
}

/** Runs the ingest benchmark; prints a table or JSON. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const seconds = numberFlag("seconds", values.seconds, { above: 0 }) ?? 5;
  const clients = numberFlag("clients", values.clients, { integer: true, min: 1 }) ?? 4;
  const batch = numberFlag("batch", values.batch, { integer: true, min: 1, max: 10_000 }) ?? 1000;
  const producers = numberFlag("producers", values.producers, { integer: true, min: 1 }) ?? 2;
  const server = (values.server ?? "app") as "app" | "handler";
  if (!["app", "handler"].includes(server)) throw new UsageError("--server is app or handler");

  // Nothing consumes here: measure ingest alone, without backpressure.
  const scratch = await openScratch("bench", { TILLSTREAM_BACKLOG_LIMIT: 1_000_000_000 });
  const { rt, config } = scratch;
  const streams = FAMILIES.flatMap((f) => rt.keys.streams(f, rt.partitions));
  const drain = setInterval(() => rt.redis.unlink(...streams).catch(() => {}), 1000);
  const results: Record<string, unknown> = {};
  try {
    await migrate(rt.sql);
    for (let i = 0; i < STORES; i++) {
      await addStore(rt.sql, {
        id: `bench-${i}`,
        name: `Bench ${i}`,
        timezone: "Europe/Paris",
        currency: "EUR",
      });
    }
    if (!values["http-only"]) {
      const cpu = await cpuMeter(rt);
      const r = await benchDirect(rt, seconds, producers, batch);
      results.direct = { ...r, producers, batch, cpu: await cpu(r.accepted) };
    }
    await rt.redis.unlink(...streams);
    if (!values["direct-only"]) {
      const cpu = await cpuMeter(rt);
      const r = await benchHttp(rt, seconds, clients, batch, server);
      results.http = { ...r, cpu: await cpu(r.accepted) };
    }
  } finally {
    clearInterval(drain);
    await scratch.close();
  }
  const out = {
    benchmark: "ingest",
    cores: navigator.hardwareConcurrency,
    ...results,
    // Where it ran; both are removed by now.
    scratch: { database: scratch.database, prefix: config.TILLSTREAM_KEY_PREFIX },
  };
  if (values.json) console.log(JSON.stringify(out));
  else {
    for (
      const [name, r] of Object.entries(results) as [
        string,
        {
          perSecond: number;
          accepted: number;
          seconds: number;
          cpu: { processUsPerEvent: number; redisUsPerEvent: number };
        },
      ][]
    ) {
      console.log(
        `${name.padEnd(7)} ${
          String(r.perSecond).padStart(9)
        } events/s  (${r.accepted} in ${r.seconds} s; CPU per event: ${r.cpu.processUsPerEvent} µs here + ${r.cpu.redisUsPerEvent} µs Redis)`,
      );
    }
  }
  return 0;
}
