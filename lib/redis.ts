/**
 * Redis through ioredis: one factory for every client, and detection of the TimeSeries module.
 * Key names are not prefixed here but in `keys.ts`, so every name is visible in one place.
 */
import { Redis } from "ioredis";

export type { Redis };

/** Options for {@link connectRedis}. */
export interface RedisOptions {
  /** Name shown by CLIENT LIST, e.g. "worker". */
  name?: string;
  /** Fail commands at once while disconnected instead of queueing them (readiness probes). */
  failFast?: boolean;
}

/**
 * Runs a pipeline and throws the first command's error (or an error if the pipeline was
 * discarded), for writes that must have landed whole before the caller goes on; returns the
 * commands' replies in order.
 */
export async function execAll(pipe: ReturnType<Redis["pipeline"]>): Promise<unknown[]> {
  const res = await pipe.exec();
  const err = res?.find(([e]) => e);
  if (!res || err) throw err?.[0] ?? new Error("Redis pipeline discarded");
  return res.map(([, reply]) => reply);
}

/** Opens a client to `url` with settings suited to long-running roles. */
export function connectRedis(url: string, opts: RedisOptions = {}): Redis {
  const client = new Redis(url, {
    connectionName: opts.name ? `tillstream:${opts.name}` : "tillstream",
    maxRetriesPerRequest: opts.failFast ? 0 : null,
    enableOfflineQueue: !opts.failFast,
    lazyConnect: false,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), 2000),
  });
  // Connection errors are reported by the commands that fail; without a listener ioredis
  // prints every reconnect attempt as an unhandled error.
  client.on("error", () => {});
  return client;
}

/** True when the server has RedisTimeSeries (`TS.ADD` is a known command). */
export async function hasTimeSeries(redis: Redis): Promise<boolean> {
  const info = await redis.call("COMMAND", "INFO", "TS.ADD") as unknown[];
  return Array.isArray(info) && info.length > 0 && info[0] !== null;
}

/** Waits until the client is ready or `ms` passes. */
export async function waitReady(redis: Redis, ms = 5000): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${ms} ms (status ${redis.status})`));
    }, ms);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off("ready", onReady);
    };
    redis.on("ready", onReady);
  });
}

/** The keys starting with `prefix`, a SCAN page (up to ~1,000) at a time, over the whole keyspace. */
export async function* scanPrefix(redis: Redis, prefix: string): AsyncGenerator<string[]> {
  let cursor = "0";
  do {
    const [next, found] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (found.length) yield found;
  } while (cursor !== "0");
}

/** Deletes every key starting with `prefix` (SCAN + UNLINK, in chunks); returns how many. */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  if (!prefix) throw new Error("deleteByPrefix needs a non-empty prefix; refusing to clear Redis");
  let deleted = 0;
  for await (const found of scanPrefix(redis, prefix)) deleted += await redis.unlink(...found);
  return deleted;
}
