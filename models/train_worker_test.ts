import assert from "node:assert/strict";
import { connect } from "../lib/db.ts";
import { TEST_DATABASE_URL, testDb, waitFor } from "../lib/testing/services.ts";
import { insertSyntheticHistory } from "./testing/synthetic.ts";
import { HOUR_MS } from "./calendar.ts";
import { trainer, TrainingStopped, trainInWorker } from "./train_worker.ts";

Deno.test("train worker - a shutdown stops a training in progress: the worker's connections close and nothing is registered", async () => {
  await using db = await testDb("train_stop");
  const { to } = await insertSyntheticHistory(db.sql, { stores: 3, categories: 3, days: 42 });
  // Backends are counted from outside the test database, so this pool's own do not move.
  const admin = connect(TEST_DATABASE_URL, { max: 1 });
  try {
    const backends = async () => {
      const [r] = await admin`select count(*)::int as n from pg_stat_activity
                              where datname = ${db.name}`;
      return r.n as number;
    };
    const before = await backends();
    const ac = new AbortController();
    // Far more epochs than the forecast test trains: it cannot finish before the abort below.
    const training = trainInWorker(
      "forecast",
      db.url,
      { epochs: 200, seed: 1, now: to + HOUR_MS, maxRows: 40_000 },
      ac.signal,
    );
    await waitFor(async () => (await backends()) > before, {
      ms: 60_000,
      what: "the training worker to connect",
    });
    ac.abort();
    await assert.rejects(training, (e) => {
      assert.ok(e instanceof TrainingStopped, `got ${e}`);
      assert.match(
        (e as Error).message,
        /training of forecast stopped: the process is shutting down/,
      );
      return true;
    });
    await waitFor(async () => (await backends()) <= before, {
      ms: 10_000,
      what: "the terminated worker's connections to close",
    });
    const [v] = await db.sql`select count(*)::int as n from model_versions`;
    assert.equal(v.n, 0);

    // Once stopped, the same trainer refuses further models at once instead of starting them.
    const train = trainer(db.sql, db.url, ac.signal);
    await assert.rejects(train("churn", {}), TrainingStopped);
    await assert.rejects(trainInWorker("demand", db.url, {}, ac.signal), TrainingStopped);
  } finally {
    await admin.end();
  }
});
