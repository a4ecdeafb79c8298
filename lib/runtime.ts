/**
 * The process's shared clients: one PostgreSQL pool, one Redis client, key names and what the
 * Redis server offers. Every role (web, worker, scheduler, CLI) opens one runtime and passes it
 * down, so tests can build the same object on their own database and key prefix.
 */
import type { Config } from "./config.ts";
import { connect, ensureDatabase, type Sql } from "./db.ts";
import { connectRedis, hasTimeSeries, type Redis } from "./redis.ts";
import { type Keys, keysFor } from "./keys.ts";
import { type Clock, systemClock } from "./clock.ts";

/** Shared clients and settings of one process. */
export interface Runtime {
  config: Config;
  sql: Sql;
  redis: Redis;
  keys: Keys;
  clock: Clock;
  /** Whether the Redis server has the TimeSeries module (detected at open). */
  timeSeries: boolean;
  partitions: number;
  close(): Promise<void>;
}

/** Opens the runtime for `config`, creating the database if it is missing. */
export async function openRuntime(
  config: Config,
  opts: { clock?: Clock; poolSize?: number; name?: string } = {},
): Promise<Runtime> {
  await ensureDatabase(config.DATABASE_URL);
  const sql = connect(config.DATABASE_URL, { max: opts.poolSize ?? 10 });
  const redis = connectRedis(config.REDIS_URL, { name: opts.name });
  let timeSeries = false;
  try {
    timeSeries = await hasTimeSeries(redis);
  } catch (e) {
    await sql.end({ timeout: 1 });
    redis.disconnect();
    throw new Error(`cannot reach Redis at ${config.REDIS_URL}: ${(e as Error).message}`);
  }
  return {
    config,
    sql,
    redis,
    keys: keysFor(config.TILLSTREAM_KEY_PREFIX),
    clock: opts.clock ?? systemClock,
    timeSeries,
    partitions: config.TILLSTREAM_PARTITIONS,
    async close() {
      redis.disconnect();
      await sql.end({ timeout: 5 });
    },
  };
}
