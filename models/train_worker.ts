/**
 * Training off the main thread: the scheduler trains in a Web Worker with its own PostgreSQL
 * pool, so the web server and stream workers sharing the process (`deno task start`) keep
 * answering while a model fits for a minute. The module is both the worker's body and the
 * caller-side helper {@link trainInWorker}.
 */
import { connect } from "../lib/db.ts";
import { errorMessage } from "../lib/log.ts";

/** Models the worker can train. */
export type TrainKind = "forecast" | "churn" | "demand" | "anomaly";

interface Request {
  kind: TrainKind;
  databaseUrl: string;
  // deno-lint-ignore no-explicit-any
  opts: Record<string, any>;
}

type Reply = { ok: true; version: number; metrics: unknown } | { ok: false; error: string };

async function train(req: Request): Promise<Reply> {
  const sql = connect(req.databaseUrl, { max: 2 });
  try {
    const r = await trainHere(sql, req.kind, req.opts);
    return { ok: true, version: r.version, metrics: r.metrics };
  } catch (e) {
    return { ok: false, error: errorMessage(e) };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * What a training stopped by its signal rejects with: the process is shutting down, and the
 * worker was terminated (its transaction rolls back with its connections; nothing is registered).
 */
export class TrainingStopped extends Error {
  constructor(kind: TrainKind) {
    super(
      `training of ${kind} stopped: the process is shutting down (the next start trains again)`,
    );
    this.name = "TrainingStopped";
  }
}

/**
 * A training function: in a worker when `databaseUrl` is given (the scheduler), else on this
 * thread with `sql` (tests, CLI). When `signal` aborts, a training in a worker stops at once
 * and later ones are refused (trainInWorker), so a shutdown does not wait for a model to fit.
 */
export function trainer(
  sql: import("../lib/db.ts").Sql,
  databaseUrl?: string,
  signal?: AbortSignal,
) {
  // deno-lint-ignore no-explicit-any
  return (kind: TrainKind, opts: Record<string, any>): Promise<{ version: number }> =>
    databaseUrl ? trainInWorker(kind, databaseUrl, opts, signal) : trainHere(sql, kind, opts);
}

async function trainHere(
  sql: import("../lib/db.ts").Sql,
  kind: TrainKind,
  // deno-lint-ignore no-explicit-any
  opts: Record<string, any>,
): Promise<{ version: number; metrics: unknown }> {
  if (kind === "forecast") return await (await import("./forecast.ts")).trainForecast(sql, opts);
  if (kind === "churn") return await (await import("./churn.ts")).trainChurn(sql, opts);
  if (kind === "demand") return await (await import("./demand.ts")).trainDemand(sql, opts);
  return await (await import("./anomaly_eval.ts")).trainAnomaly(sql, opts);
}

/**
 * Trains `kind` in a worker on `databaseUrl`; resolves with the registered version. When
 * `signal` aborts first, the worker is terminated and the promise rejects with
 * {@link TrainingStopped}.
 */
export function trainInWorker(
  kind: TrainKind,
  databaseUrl: string,
  // deno-lint-ignore no-explicit-any
  opts: Record<string, any> = {},
  signal?: AbortSignal,
): Promise<{ version: number; metrics: unknown }> {
  if (signal?.aborted) return Promise.reject(new TrainingStopped(kind));
  const worker = new Worker(import.meta.url, { type: "module", name: `train-${kind}` });
  return new Promise<{ version: number; metrics: unknown }>((resolve, reject) => {
    const stop = () => {
      worker.terminate();
      reject(new TrainingStopped(kind));
    };
    const settle = () => {
      worker.terminate();
      signal?.removeEventListener("abort", stop);
    };
    signal?.addEventListener("abort", stop, { once: true });
    worker.onmessage = (e: MessageEvent<Reply>) => {
      settle();
      if (e.data.ok) resolve({ version: e.data.version, metrics: e.data.metrics });
      else reject(new Error(e.data.error));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      settle();
      reject(new Error(`training worker for ${kind} crashed: ${e.message}`));
    };
    worker.postMessage({ kind, databaseUrl, opts } satisfies Request);
  });
}

// Inside a worker: train what the first message asks and reply once.
// deno-lint-ignore no-explicit-any
const scope = globalThis as any;
if (typeof scope.WorkerGlobalScope !== "undefined" && scope instanceof scope.WorkerGlobalScope) {
  scope.onmessage = async (e: MessageEvent<Request>) => {
    scope.postMessage(await train(e.data));
  };
}
