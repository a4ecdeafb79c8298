/**
 * How simulated events reach the pipeline: through the producer (`xadd`, the path the HTTP
 * connector itself ends in) after validation with the contract's `validateEvent`, or through
 * the HTTP connector (`POST /api/v1/events` with a connector key the simulator creates),
 * honouring its 503 backpressure. Either way the events enter by a real connector path.
 */
import { type PosEvent, validateEvent } from "../../lib/events.ts";
import type { Runtime } from "../../lib/runtime.ts";
import { storeDirectory } from "../../lib/stores.ts";
import { createKey } from "../../lib/connector_keys.ts";
import { backlog, publish, streamOf } from "../producer.ts";
import { WriteMarks } from "../csv/drain.ts";
import { sleep } from "../../lib/clock.ts";

/** What a send did. */
export interface SendResult {
  accepted: number;
  rejected: { error: string; event: Record<string, unknown> }[];
}

/** Sends contract-shaped events to the pipeline. */
export interface Sender {
  send(events: Record<string, unknown>[], signal?: AbortSignal): Promise<SendResult>;
  /** Highest entry id written per stream (xadd only), to wait for the workers. */
  marks?: WriteMarks;
}

/**
 * Validates and XADDs through the producer. Waits while the worker group is more than
 * `maxBacklog` entries behind, so a backfill goes as fast as the pipeline takes it.
 */
export function xaddSender(rt: Runtime, opts: { maxBacklog?: number } = {}): Sender {
  const maxBacklog = opts.maxBacklog ?? Math.min(100_000, rt.config.TILLSTREAM_BACKLOG_LIMIT);
  const marks = new WriteMarks();
  return {
    marks,
    async send(events, signal) {
      const stores = await storeDirectory(rt);
      const now = rt.clock.now();
      const ok: PosEvent[] = [];
      const rejected: SendResult["rejected"] = [];
      for (const e of events) {
        const v = validateEvent(e, { now, stores });
        if (v.ok) ok.push(v.event);
        else rejected.push({ error: v.error, event: e });
      }
      while (!signal?.aborted && await backlog(rt) > maxBacklog) await sleep(100, signal);
      for (let i = 0; i < ok.length; i += 5_000) {
        const chunk = ok.slice(i, i + 5_000);
        const ids = await publish(rt, chunk);
        marks.note(chunk.map((e) => streamOf(rt, e)), ids);
      }
      return { accepted: ok.length, rejected };
    },
  };
}

/** POSTs JSON arrays of at most 2,000 events to `url` + /api/v1/events with a new connector key. */
export async function httpSender(rt: Runtime, baseUrl: string): Promise<Sender> {
  const { key } = await createKey(rt.sql, { name: "simulator" });
  const endpoint = new URL("/api/v1/events", baseUrl).toString();
  return {
    async send(events, signal) {
      const result: SendResult = { accepted: 0, rejected: [] };
      for (let i = 0; i < events.length; i += 2_000) {
        const chunk = events.slice(i, i + 2_000);
        while (true) {
          let res: Response;
          try {
            res = await fetch(endpoint, {
              method: "POST",
              headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
              body: JSON.stringify(chunk),
              signal,
            });
          } catch (e) {
            if (signal?.aborted) return result;
            throw new Error(
              `cannot reach ${endpoint}: ${
                (e as Error).message
              }; start the server (deno task start) or pass --url`,
            );
          }
          if (res.status === 503) {
            await res.body?.cancel();
            await sleep(Number(res.headers.get("retry-after") ?? "1") * 1000, signal);
            if (signal?.aborted) return result;
            continue;
          }
          const body = await res.json().catch(() => ({})) as {
            accepted?: number;
            rejected?: { index: number; error: string }[];
            error?: string;
          };
          if (res.status !== 202 && res.status !== 400) {
            throw new Error(
              `${endpoint} answered ${res.status}: ${body.error ?? "no reason given"}`,
            );
          }
          result.accepted += body.accepted ?? 0;
          for (const r of body.rejected ?? []) {
            result.rejected.push({ error: r.error, event: chunk[r.index] });
          }
          break;
        }
      }
      return result;
    },
  };
}
