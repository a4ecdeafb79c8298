/**
 * Waiting for the pipeline to finish what a connector sent, so `deno task import` (and the
 * simulator's backfill) land data in PostgreSQL even when no worker process runs: the caller
 * runs workers in-process and waits until the consumer group has delivered *and*
 * acknowledged every entry up to the last id it wrote to each stream.
 */
import type { Family } from "../../lib/keys.ts";
import { WORKER_GROUP } from "../../lib/keys.ts";
import type { Runtime } from "../../lib/runtime.ts";
import { ensureGroups, runWorkers } from "../../pipeline/worker.ts";
import { backlog } from "../producer.ts";

/** Compares two stream entry ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am, as = "0"] = a.split("-");
  const [bm, bs = "0"] = b.split("-");
  const d = Number(am) - Number(bm);
  return d !== 0 ? Math.sign(d) : Math.sign(Number(as) - Number(bs));
}

/**
 * Creates the worker group on every stream of `family` (from the start, creating the stream),
 * so entries written before any worker started are still delivered. Existing groups are kept.
 */
export async function ensureFamilyGroups(rt: Runtime, family: Family): Promise<void> {
  await ensureGroups(rt, rt.keys.streams(family, rt.partitions));
}

/** Remembers the highest entry id written to each stream. */
export class WriteMarks {
  readonly last = new Map<string, string>();
  /** Records ids returned by `publish` for events written to `streams` (same order). */
  note(streams: string[], ids: string[]) {
    for (let i = 0; i < ids.length; i++) {
      const prev = this.last.get(streams[i]);
      if (!prev || compareIds(ids[i], prev) > 0) this.last.set(streams[i], ids[i]);
    }
  }
}

/** Streams whose entries up to the mark are not yet delivered and acknowledged. */
export async function unfinishedStreams(rt: Runtime, marks: WriteMarks): Promise<string[]> {
  const out: string[] = [];
  for (const [stream, mark] of marks.last) {
    const groups = await rt.redis.call("XINFO", "GROUPS", stream) as unknown[][];
    let delivered = "0-0";
    for (const flat of groups) {
      const info: Record<string, unknown> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) info[String(flat[i])] = flat[i + 1];
      if (info.name === WORKER_GROUP) delivered = String(info["last-delivered-id"]);
    }
    if (compareIds(delivered, mark) < 0) {
      out.push(stream);
      continue;
    }
    const [count, min] = await rt.redis.xpending(stream, WORKER_GROUP) as [number, string | null];
    if (Number(count) > 0 && min !== null && compareIds(min, mark) <= 0) out.push(stream);
  }
  return out;
}

/**
 * Polls until every mark is processed. `onWait` is called between polls (progress); throws
 * after `timeoutMs` without progress (no stream finished, backlog not shrinking), naming the
 * streams still waiting.
 */
export async function waitProcessed(
  rt: Runtime,
  marks: WriteMarks,
  opts: { timeoutMs?: number; every?: number; onWait?: () => Promise<void> | void } = {},
): Promise<void> {
  const timeout = opts.timeoutMs ?? 120_000;
  let lastChange = Date.now();
  let lastCount = Infinity;
  let lastBacklog = Infinity;
  while (true) {
    const waiting = await unfinishedStreams(rt, marks);
    if (waiting.length === 0) return;
    // Progress is fewer streams waiting or a shrinking backlog: a long drain is not a stall.
    const left = await backlog(rt);
    if (waiting.length < lastCount || left < lastBacklog) lastChange = Date.now();
    lastCount = Math.min(lastCount, waiting.length);
    lastBacklog = Math.min(lastBacklog, left);
    if (Date.now() - lastChange > timeout) {
      throw new Error(
        `workers did not finish ${waiting.join(", ")} within ${timeout / 1000} s; ` +
          `check the worker logs and the dead-letter stream (deno task dlq list)`,
      );
    }
    await opts.onWait?.();
    await new Promise((r) => setTimeout(r, opts.every ?? 50));
  }
}

/** A worker running inside this process until `stop()`. */
export interface InProcessWorker {
  stop(): Promise<void>;
}

/** Starts the pipeline's workers in this process, consuming `families` (default all). */
export function startWorkers(rt: Runtime, families?: readonly Family[]): InProcessWorker {
  const ctl = new AbortController();
  let failure: unknown;
  const running = runWorkers(rt, { signal: ctl.signal, families }).catch((e) => {
    failure = e;
  });
  return {
    async stop() {
      ctl.abort();
      await running;
      if (failure) throw failure;
    },
  };
}
