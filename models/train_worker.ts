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
 * A training function: in a worker when `databaseUrl` is given (the scheduler), else on this
 * thread with `sql` (tests, CLI).
 */
export function trainer(sql: import("../lib/db.ts").Sql, databaseUrl?: string) {
  // deno-lint-ignore no-explicit-any
  return (kind: TrainKind, opts: Record<string, any>): Promise<{ version: number }> =>
    databaseUrl ? trainInWorker(kind, databaseUrl, opts) : trainHere(sql, kind, opts);
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

/** Trains `kind` in a worker on `databaseUrl`; resolves with the registered version. */
export function trainInWorker(
  kind: TrainKind,
  databaseUrl: string,
  // deno-lint-ignore no-explicit-any
  opts: Record<string, any> = {},
): Promise<{ version: number; metrics: unknown }> {
  const worker = new Worker(import.meta.url, { type: "module", name: `train-${kind}` });
  return new Promise<{ version: number; metrics: unknown }>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<Reply>) => {
      worker.terminate();
      if (e.data.ok) resolve({ version: e.data.version, metrics: e.data.metrics });
      else reject(new Error(e.data.error));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
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
