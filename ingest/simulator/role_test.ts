import assert from "node:assert/strict";
import { testRuntime, waitFor } from "../../lib/testing/services.ts";
import { startWorkers } from "../csv/drain.ts";
import { runSimulator } from "./role.ts";

Deno.test("simulator role - registers its stores, backfills an empty database, runs live until shutdown", async () => {
  await using rt = await testRuntime("sim_role", {
    env: { TILLSTREAM_SIMULATOR_BACKFILL_DAYS: "1", TILLSTREAM_SIMULATOR_RATE: "2" },
  });
  const workers = startWorkers(rt);
  try {
    const ctl = new AbortController();
    const running = runSimulator(rt, { signal: ctl.signal, stores: 2 });
    // A day of two stores is a few hundred receipts; the live part keeps adding.
    await waitFor(async () => {
      const [{ n }] = await rt.sql`select count(*)::int as n from receipts`;
      return n > 200;
    }, { ms: 60_000, what: "backfilled receipts in PostgreSQL" });
    ctl.abort();
    assert.deepEqual(await running, { backfillDays: 1 });
    const stores = await rt.sql`select id, timezone, currency from stores order by id`;
    assert.deepEqual(stores.map((s) => s.id), ["los-angeles-02", "new-york-01"]);
    const [{ first }] = await rt.sql`select min(ts) as first from receipts`;
    assert.ok(Date.now() - (first as Date).getTime() > 12 * 3_600_000, "history reaches back");

    // With receipts present, a restart goes straight to live.
    const again = new AbortController();
    const second = runSimulator(rt, { signal: again.signal, stores: 2 });
    again.abort();
    assert.deepEqual(await second, { backfillDays: 0 });
  } finally {
    await workers.stop();
  }
});
