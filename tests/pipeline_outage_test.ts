/**
 * Outages under load: PostgreSQL refusing connections (its backends killed, the test database
 * closed to new connections) and a Redis restart from its append-only file. Producers keep
 * writing during the outage; afterwards totals must be exact in both stores. Also: the streams
 * deleted under running workers (their group gone), which the workers must recreate.
 *
 * The shared PostgreSQL cluster is never stopped: the outage is confined to this test's own
 * database. PIPELINE_OUTAGE_MS sets its length (default 3 s; the figure is 10 s).
 */
import assert from "node:assert/strict";
import { TEST_DATABASE_URL, testDb, testRuntime, waitFor } from "../lib/testing/services.ts";
import { fixedClock, sleep } from "../lib/clock.ts";
import { connect } from "../lib/db.ts";
import { connectRedis } from "../lib/redis.ts";
import { FAMILIES, keysFor } from "../lib/keys.ts";
import { loadConfig } from "../lib/config.ts";
import type { Runtime } from "../lib/runtime.ts";
import type { ReceiptEvent } from "../lib/events.ts";
import { publish } from "../ingest/producer.ts";
import { runWorkers } from "../pipeline/worker.ts";
import { expectedTotals, makeReceipts, seedStores } from "./pipeline_fixtures.ts";
import { assertRollupsExact, drained, pgTotals, redisTotals } from "./pipeline_helpers.ts";

const START = Date.parse("2026-11-24T20:00:00Z");
const OUTAGE_MS = Number(Deno.env.get("PIPELINE_OUTAGE_MS") ?? "3000");

/** Publishes in chunks every `everyMs`, resending a chunk until Redis takes it. */
async function produce(rt: Runtime, receipts: ReceiptEvent[], chunk: number, everyMs: number) {
  for (let i = 0; i < receipts.length; i += chunk) {
    for (let attempt = 0;; attempt++) {
      try {
        await publish(rt, receipts.slice(i, i + chunk));
        break;
      } catch {
        await sleep(100); // Redis down: resend (workers deduplicate partial chunks)
      }
    }
    await sleep(everyMs);
  }
}

function assertExact(name: string, t: Record<string, number>, receipts: ReceiptEvent[]) {
  const e = expectedTotals(receipts);
  assert.deepEqual(
    [t.sales_cents, t.transactions, t.units, t.refunds, t.refund_cents, t.discount_cents],
    [e.sales_cents, e.transactions, e.units, e.refunds, e.refund_cents, e.discount_cents],
    name,
  );
}

Deno.test("pipeline - PostgreSQL unreachable under load: retried, nothing lost or doubled", async () => {
  await using rt = await testRuntime("pg_outage", { clock: fixedClock(START + 86_400_000) });
  await seedStores(rt.sql);
  const receipts = makeReceipts({ count: 3000, start: START, stepMs: 2_000 });
  const admin = connect(TEST_DATABASE_URL, { max: 1 });
  const controller = new AbortController();
  const worker = runWorkers(rt, {
    signal: controller.signal,
    consumers: 2,
    batch: 200,
    maintenanceEveryMs: 0,
  });
  try {
    const producing = produce(rt, receipts, 100, 10);
    await waitFor(async () => {
      const [{ n }] =
        await admin`select count(*)::int n from pg_stat_activity where datname = ${rt.db.name}`;
      return n > 0;
    });
    await sleep(300);
    await admin`alter database ${admin(rt.db.name)} allow_connections false`;
    await admin`select pg_terminate_backend(pid) from pg_stat_activity
      where datname = ${rt.db.name} and pid <> pg_backend_pid()`;
    await sleep(OUTAGE_MS);
    await admin`alter database ${admin(rt.db.name)} allow_connections true`;
    await producing;
    await drained(rt, 30_000);
    assertExact("PostgreSQL", await pgTotals(rt, "minute"), receipts);
    assertExact(
      "Redis",
      await redisTotals(rt, "minute", START - 3_600_000, START + 86_400_000),
      receipts,
    );
    await assertRollupsExact(rt, receipts);
  } finally {
    await admin`alter database ${admin(rt.db.name)} allow_connections true`.catch(() => {});
    await admin.end();
    controller.abort();
    await worker;
  }
});

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function startRedis(port: number, dir: string) {
  return new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      "",
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
}

Deno.test("pipeline - Redis killed and restarted from its AOF under load: totals exact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "tillstream_aof_" });
  const port = freePort();
  let server = startRedis(port, dir);
  await using db = await testDb("redis_restart");
  await seedStores(db.sql);
  const url = `redis://127.0.0.1:${port}`;
  const redis = connectRedis(url, { name: "test" });
  await waitFor(() => redis.ping().then((p) => p === "PONG"));
  const config = loadConfig({
    DATABASE_URL: db.url,
    REDIS_URL: url,
    TILLSTREAM_LOCAL_SERVICES: "off",
  });
  const rt: Runtime = {
    config,
    sql: db.sql,
    redis,
    keys: keysFor(""),
    clock: fixedClock(START + 86_400_000),
    timeSeries: false,
    partitions: config.TILLSTREAM_PARTITIONS,
    async close() {},
  };
  const receipts = makeReceipts({ count: 3000, start: START, stepMs: 2_000 });
  const controller = new AbortController();
  const worker = runWorkers(rt, {
    signal: controller.signal,
    consumers: 2,
    batch: 200,
    claimIdleMs: 1000,
    maintenanceEveryMs: 0,
  });
  try {
    const producing = produce(rt, receipts, 100, 10);
    await waitFor(async () => {
      const [{ n }] = await db.sql`select count(*)::int n from receipts`;
      return n > 300;
    }, { ms: 10_000 });
    server.kill("SIGKILL");
    await server.status;
    await sleep(500);
    server = startRedis(port, dir);
    await producing;
    await drained(rt, 30_000);
    assertExact("PostgreSQL", await pgTotals(rt, "minute"), receipts);
    assertExact(
      "Redis",
      await redisTotals(rt, "minute", START - 3_600_000, START + 86_400_000),
      receipts,
    );
    await assertRollupsExact(rt, receipts);
  } finally {
    controller.abort();
    await worker;
    redis.disconnect();
    server.kill("SIGKILL");
    await server.status;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("pipeline - streams deleted under running workers (Redis lost its data): the group is recreated and new events flow", async () => {
  await using rt = await testRuntime("nogroup", { clock: fixedClock(START + 86_400_000) });
  await seedStores(rt.sql);
  const before = makeReceipts({ count: 300, start: START, stepMs: 1_000, prefix: "before" });
  const after = makeReceipts({ count: 300, start: START, stepMs: 1_000, prefix: "after", seed: 2 });
  const controller = new AbortController();
  const worker = runWorkers(rt, {
    signal: controller.signal,
    consumers: 2,
    batch: 100,
    maintenanceEveryMs: 0,
  });
  try {
    await publish(rt, before);
    await drained(rt);
    // Every stream goes, and the group with it: the next reads fail with NOGROUP.
    for (const f of FAMILIES) await rt.redis.del(...rt.keys.streams(f, rt.partitions));
    await sleep(200);
    await publish(rt, after);
    await drained(rt);
    assertExact("PostgreSQL", await pgTotals(rt, "minute"), [...before, ...after]);
    assertExact(
      "Redis",
      await redisTotals(rt, "minute", START - 3_600_000, START + 86_400_000),
      [...before, ...after],
    );
  } finally {
    controller.abort();
    await worker;
  }
});
