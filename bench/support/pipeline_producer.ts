/**
 * Load generator for `bench pipeline`, run in a Web Worker so producing does not share the
 * stream worker's JavaScript thread (real POS connectors run elsewhere). XADDs receipts with
 * event time = now through the real producer (`publish`), at a fixed rate or as fast as the
 * backlog cap allows, and reports how many it sent.
 */
import { connectRedis } from "../../lib/redis.ts";
import { keysFor } from "../../lib/keys.ts";
import type { ReceiptEvent } from "../../lib/events.ts";
import type { Runtime } from "../../lib/runtime.ts";
import { publish } from "../../ingest/producer.ts";

/** What the producer is asked to do. */
export interface ProducerJob {
  redisUrl: string;
  prefix: string;
  partitions: number;
  stores: string[];
  seconds: number;
  /** Events per second; 0 = as fast as possible while the backlog stays under `maxBacklog`. */
  rate: number;
  maxBacklog: number;
}

/** What it reports. */
export interface ProducerResult {
  sent: number;
  seconds: number;
  /** CPU seconds this thread used producing (Linux /proc; null elsewhere). */
  cpuSeconds: number | null;
}

/** CPU seconds used so far by the calling thread (Linux only; null elsewhere). */
function threadCpuSeconds(): number | null {
  try {
    const f = Deno.readTextFileSync("/proc/thread-self/stat").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ
  } catch {
    return null;
  }
}

const CATEGORIES = ["grocery", "dairy", "bakery", "drinks", "household", "toys", "garden", "pets"];

function templates(stores: string[], n: number): ReceiptEvent[] {
  let s = 7;
  const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  return Array.from({ length: n }, (_, i) => {
    const lines = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => {
      const sku = Math.floor(rnd() * 400);
      return {
        sku: `SKU-${sku}`,
        category: CATEGORIES[sku % CATEGORIES.length],
        quantity: 1 + Math.floor(rnd() * 3),
        unit_price_cents: 50 + sku * 11,
        discount_cents: rnd() < 0.1 ? 25 : 0,
      };
    });
    const e: ReceiptEvent = {
      type: rnd() < 0.05 ? "refund" : "sale",
      transaction_id: "",
      store_id: stores[i % stores.length],
      register_id: `r${Math.floor(rnd() * 6)}`,
      timestamp: "",
      ts: 0,
      currency: "EUR",
      payment: "card",
      lines,
      total_cents: lines.reduce(
        (a, l) => a + l.quantity * l.unit_price_cents - l.discount_cents,
        0,
      ),
    };
    if (rnd() < 0.5) e.customer_id = `c${Math.floor(rnd() * 20000)}`;
    return e;
  });
}

async function produce(job: ProducerJob): Promise<ProducerResult> {
  const redis = connectRedis(job.redisUrl, { name: "bench-producer" });
  const rt = { redis, keys: keysFor(job.prefix), partitions: job.partitions } as unknown as Runtime;
  const base = templates(job.stores, 4096);
  const cpuStart = threadCpuSeconds();
  let sent = 0;
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  const tick = 10; // ms
  const stamp = (n: number) => {
    const now = Date.now();
    const out: ReceiptEvent[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const t = base[(sent + i) % base.length];
      out[i] = {
        ...t,
        transaction_id: `b-${sent + i}`,
        ts: now,
        timestamp: new Date(now).toISOString(),
      };
    }
    return out;
  };
  const backlog = async () => {
    const streams = rt.keys.streams("sales", job.partitions);
    const pipe = redis.pipeline();
    for (const s of streams) pipe.xinfo("GROUPS", s);
    let total = 0;
    for (const [, groups] of (await pipe.exec()) ?? []) {
      for (const flat of (groups ?? []) as unknown[][]) {
        const i = flat.indexOf("lag");
        total += Number(flat[i + 1] ?? 0);
      }
    }
    return total;
  };
  try {
    while (performance.now() < deadline) {
      if (job.rate > 0) {
        const due = Math.floor(((performance.now() - started) / 1000) * job.rate) - sent;
        if (due > 0) {
          await publish(rt, stamp(due));
          sent += due;
        }
        await new Promise((r) => setTimeout(r, tick));
      } else {
        if (await backlog() > job.maxBacklog) {
          await new Promise((r) => setTimeout(r, tick));
          continue;
        }
        await publish(rt, stamp(2000));
        sent += 2000;
      }
    }
  } finally {
    redis.disconnect();
  }
  const cpuEnd = threadCpuSeconds();
  return {
    sent,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuStart === null || cpuEnd === null ? null : cpuEnd - cpuStart,
  };
}

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = async (e: MessageEvent<ProducerJob>) => {
  scope.postMessage(await produce(e.data));
};
