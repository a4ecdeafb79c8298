import assert from "node:assert/strict";
import { testRuntime, waitFor } from "../lib/testing/services.ts";
import { runJobOnce, runScheduler } from "./scheduler.ts";
import type { Job } from "./job.ts";
import { acquireLock, extendLock, releaseLock } from "./lock.ts";
import { recentRuns } from "./runs.ts";

Deno.test("scheduler - two schedulers on one prefix never run a job twice for a tick", async () => {
  await using rt = await testRuntime("sched_two");
  const ran: number[] = [];
  const job: Job = {
    name: "tick",
    description: "records its tick",
    schedule: "* * * * * *", // every second
    run: async ({ now }) => {
      ran.push(now);
      await new Promise((r) => setTimeout(r, 30));
      return { now };
    },
  };
  const a = new AbortController(), b = new AbortController();
  const s1 = runScheduler(rt, { signal: a.signal, jobs: [job], schedules: new Map(), runner: "a" });
  const s2 = runScheduler(rt, { signal: b.signal, jobs: [job], schedules: new Map(), runner: "b" });
  await waitFor(() => new Set(ran).size >= 3, { ms: 8000, what: "three ticks" });
  a.abort();
  b.abort();
  await Promise.all([s1, s2]);
  assert.equal(ran.length, new Set(ran).size, `a tick ran twice: ${ran.join(", ")}`);
  const runs = await recentRuns(rt.sql, { job: "tick" });
  assert.equal(runs.length, ran.length);
  assert.ok(runs.every((r) => r.status === "ok" && r.finishedAt));
});

Deno.test("scheduler - a failing job is recorded with its error; a busy lock skips the run", async () => {
  await using rt = await testRuntime("sched_err");
  const ctl = new AbortController();
  const bad: Job = {
    name: "bad",
    description: "fails",
    schedule: "0 0 1 1 *",
    run: () => Promise.reject(new Error("boom: no data")),
  };
  assert.equal(await runJobOnce(rt, bad, 1000, { signal: ctl.signal }), "error");
  const [run] = await recentRuns(rt.sql, { job: "bad" });
  assert.equal(run.status, "error");
  assert.equal(run.error, "boom: no data");
  assert.equal(await runJobOnce(rt, bad, 1000, { signal: ctl.signal }), "claimed_elsewhere");
  const held = await acquireLock(rt.redis, rt.keys.jobLock("bad"), 10_000);
  assert.ok(held);
  assert.equal(await runJobOnce(rt, bad, 2000, { signal: ctl.signal }), "locked");
  assert.equal(await releaseLock(rt.redis, { ...held!, token: "someone-else" }), false);
  assert.equal(await extendLock(rt.redis, held!, 20_000), true);
  assert.equal(await releaseLock(rt.redis, held!), true);
});
