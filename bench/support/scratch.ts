/**
 * A scratch deployment for one benchmark run: its own database and Redis key prefix, both
 * removed by `close()`, so benchmarks never touch real data or each other.
 */
import { type Config, loadConfig } from "../../lib/config.ts";
import { dropDatabase, ensureDatabase, withDatabase } from "../../lib/db.ts";
import { deleteByPrefix } from "../../lib/redis.ts";
import { openRuntime, type Runtime } from "../../lib/runtime.ts";

/** A runtime on a scratch database and prefix. */
export interface Scratch {
  rt: Runtime;
  config: Config;
  /** Name of the scratch database. */
  database: string;
  /** Deletes the prefix's keys, closes the runtime and drops the database. */
  close(): Promise<void>;
}

/** Opens a scratch runtime; `overrides` change the configuration for the run. */
export async function openScratch(
  name: string,
  overrides: Partial<Config> = {},
  opts: { poolSize?: number } = {},
): Promise<Scratch> {
  const base = loadConfig();
  const tag = `bench_${Date.now().toString(36)}_${
    crypto.getRandomValues(new Uint32Array(1))[0].toString(36)
  }`;
  const database = `ts_${tag}`;
  const config: Config = {
    ...base,
    DATABASE_URL: withDatabase(base.DATABASE_URL, database),
    TILLSTREAM_KEY_PREFIX: `${base.TILLSTREAM_KEY_PREFIX}${tag}:`,
    ...overrides,
  };
  await ensureDatabase(config.DATABASE_URL);
  const rt = await openRuntime(config, { name, poolSize: opts.poolSize });
  return {
    rt,
    config,
    database,
    async close() {
      await deleteByPrefix(rt.redis, config.TILLSTREAM_KEY_PREFIX);
      await rt.close();
      await dropDatabase(base.DATABASE_URL, database);
    },
  };
}
