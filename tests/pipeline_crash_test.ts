/**
 * Crash recovery: a real worker process (`main.ts worker`) is killed with SIGKILL at a chosen
 * point of a batch (TILLSTREAM_TEST_CRASH_AT), then another worker claims its pending entries.
 * Totals in PostgreSQL and Redis must be exact: nothing lost, nothing doubled.
 */
import assert from "node:assert/strict";
import { testRuntime, waitFor } from "../lib/testing/services.ts";
import { fixedClock } from "../lib/clock.ts";
import { WORKER_GROUP } from "../lib/keys.ts";
import type { Runtime } from "../lib/runtime.ts";
import { publish } from "../ingest/producer.ts";
import { runWorkers } from "../pipeline/worker.ts";
import { expectedTotals, makeReceipts, seedStores } from "./pipeline_fixtures.ts";
import { assertRollupsExact, drained, pgTotals, redisTotals } from "./pipeline_helpers.ts";
import { DENO_RUN } from "../lib/testing/deno_run.ts";

const START = Date.parse("2026-11-24T20:00:00Z");
const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Runs `main.ts worker` against the test runtime until it kills itself at `point`. */
async function crashingWorker(
  rt: Runtime & { db: { url: string }; r: { url: string } },
  point: string,
) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, MAIN, "worker"],
    env: {
      DATABASE_URL: rt.db.url,
      REDIS_URL: rt.r.url,
      TILLSTREAM_KEY_PREFIX: rt.keys.prefix,
      TILLSTREAM_LOCAL_SERVICES: "off",
      TILLSTREAM_WORKER_CONSUMERS: "1",
      TILLSTREAM_WORKER_BATCH: "400",
      TILLSTREAM_LOG_LEVEL: "error",
      TILLSTREAM_TEST_CRASH_AT: point,
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL", `worker should have died at ${point}`);
}

async function pendingCount(rt: Runtime): Promise<number> {
  let n = 0;
  for (const s of rt.keys.streams("sales", rt.partitions)) {
    const summary = await rt.redis.call("XPENDING", s, WORKER_GROUP) as unknown[];
    n += Number(summary[0]);
  }
  return n;
}

for (const point of ["before-commit", "after-commit", "before-ack"] as const) {
  Deno.test(`pipeline - kill -9 ${point}, then another worker claims: totals exact`, async () => {
    await using rt = await testRuntime(`crash_${point.replace("-", "_")}`, {
      clock: fixedClock(START + 86_400_000),
    });
    await seedStores(rt.sql);
    const receipts = makeReceipts({ count: 1200, start: START, stepMs: 3_000 });
    await publish(rt, receipts);
    await crashingWorker(rt, point);
    assert.ok((await pendingCount(rt)) > 0, "the dead worker left entries pending");
    const [{ n }] = await rt.sql`select count(*)::int n from receipts`;
    if (point === "before-commit") assert.equal(n, 0, "nothing committed before the crash");
    else assert.ok(n > 0, "the first batch was committed before the crash");

    const controller = new AbortController();
    const worker = runWorkers(rt, {
      signal: controller.signal,
      consumers: 1,
      claimIdleMs: 300,
      name: "rescuer",
      maintenanceEveryMs: 0,
    });
    try {
      await drained(rt);
      await waitFor(async () => (await pendingCount(rt)) === 0, { what: "no pending entries" });
      const exp = expectedTotals(receipts);
      for (const res of ["minute", "day"] as const) {
        const pg = await pgTotals(rt, res);
        const redis = await redisTotals(rt, res, START - 86_400_000, START + 2 * 86_400_000);
        for (const t of [pg, redis]) {
          assert.deepEqual(
            [t.sales_cents, t.transactions, t.refunds, t.refund_cents, t.units],
            [exp.sales_cents, exp.transactions, exp.refunds, exp.refund_cents, exp.units],
            `${res} totals after ${point}`,
          );
        }
      }
      await assertRollupsExact(rt, receipts);
      const [{ c }] = await rt.sql`select count(*)::int c from receipts`;
      assert.equal(c, 1200);
    } finally {
      controller.abort();
      await worker;
    }
  });
}
