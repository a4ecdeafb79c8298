/**
 * Test helpers on the real services: a fresh PostgreSQL database per test run (created, migrated
 * and dropped) and a Redis key prefix per run (its keys deleted at the end).
 */
import assert from "node:assert/strict";
import { connect, dropDatabase, type Sql, withDatabase } from "../db.ts";
import { migrate } from "../migrate.ts";
import { connectRedis, deleteByPrefix, type Redis, scanPrefix } from "../redis.ts";
import { keysFor } from "../keys.ts";

/** Base URLs of the test services; override with TEST_DATABASE_URL / TEST_REDIS_URL. */
export const TEST_DATABASE_URL = Deno.env.get("TEST_DATABASE_URL") ??
  "postgres://postgres@127.0.0.1:5432/postgres";
export const TEST_REDIS_URL = Deno.env.get("TEST_REDIS_URL") ?? "redis://127.0.0.1:6379";

function runId(label: string) {
  const rand = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `${label.replace(/[^a-z0-9_]/gi, "_").toLowerCase()}_${Date.now().toString(36)}_${rand}`;
}

/** A database that exists for one test run. */
export interface TestDb extends AsyncDisposable {
  sql: Sql;
  url: string;
  name: string;
}

/**
 * Creates `ts_test_<label>_<unique>`, applies migrations unless `migrated: false`, and drops it
 * on dispose (`await using db = await testDb("x")`).
 */
export async function testDb(label = "t", opts: { migrated?: boolean } = {}): Promise<TestDb> {
  const name = `ts_test_${runId(label)}`.slice(0, 63);
  const admin = connect(TEST_DATABASE_URL, { max: 1 });
  await admin`create database ${admin(name)}`;
  await admin.end();
  const url = withDatabase(TEST_DATABASE_URL, name);
  const sql = connect(url, { max: 4 });
  if (opts.migrated !== false) await migrate(sql);
  return {
    sql,
    url,
    name,
    async [Symbol.asyncDispose]() {
      await sql.end({ timeout: 1 });
      await dropDatabase(TEST_DATABASE_URL, name);
    },
  };
}

/** A Redis connection with a key prefix of its own for one test run. */
export interface TestRedis extends AsyncDisposable {
  redis: Redis;
  prefix: string;
  keys: ReturnType<typeof keysFor>;
  url: string;
}

/** Connects to the test Redis with a unique prefix; deletes every key under it on dispose. */
export async function testRedis(label = "t"): Promise<TestRedis> {
  const prefix = `ts_test:${runId(label)}:`;
  const redis = connectRedis(TEST_REDIS_URL, { name: "test" });
  await redis.ping();
  return {
    redis,
    prefix,
    keys: keysFor(prefix),
    url: TEST_REDIS_URL,
    async [Symbol.asyncDispose]() {
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

/** Polls `check` until it returns a truthy value or `ms` passes; no fixed sleeps in tests. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  { ms = 5000, every = 20, what = "condition" }: { ms?: number; every?: number; what?: string } =
    {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(
    `timed out after ${ms} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`,
  );
}

/** A full {@link Runtime} on a fresh database and key prefix, for tests of roles and routes. */
export async function testRuntime(
  label = "t",
  opts: { clock?: import("../clock.ts").Clock; env?: Record<string, string> } = {},
): Promise<import("../runtime.ts").Runtime & AsyncDisposable & { db: TestDb; r: TestRedis }> {
  const { loadConfig } = await import("../config.ts");
  const { hasTimeSeries } = await import("../redis.ts");
  const db = await testDb(label);
  const r = await testRedis(label);
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: r.url,
    TILLSTREAM_KEY_PREFIX: r.prefix,
    TILLSTREAM_LOCAL_SERVICES: "off",
    TILLSTREAM_SIMULATOR: "off",
    ...opts.env,
  });
  const { systemClock } = await import("../clock.ts");
  return {
    config,
    sql: db.sql,
    redis: r.redis,
    keys: r.keys,
    clock: opts.clock ?? systemClock,
    timeSeries: await hasTimeSeries(r.redis),
    partitions: config.TILLSTREAM_PARTITIONS,
    db,
    r,
    async close() {},
    async [Symbol.asyncDispose]() {
      await r[Symbol.asyncDispose]();
      await db[Symbol.asyncDispose]();
    },
  };
}

/**
 * Asserts that a benchmark's scratch deployment is gone: no database of that name, no Redis key
 * under that prefix (the whole keyspace scanned).
 */
export async function assertScratchRemoved(scratch: { database: string; prefix: string }) {
  const admin = connect(TEST_DATABASE_URL, { max: 1 });
  try {
    const [db] = await admin`select 1 from pg_database where datname = ${scratch.database}`;
    assert.equal(db, undefined, `database ${scratch.database} is still there`);
  } finally {
    await admin.end();
  }
  const redis = connectRedis(TEST_REDIS_URL);
  try {
    const keys: string[] = [];
    for await (const found of scanPrefix(redis, scratch.prefix)) keys.push(...found);
    assert.deepEqual(keys, [], `keys under ${scratch.prefix} are still there`);
  } finally {
    redis.disconnect();
  }
}
