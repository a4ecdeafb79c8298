import assert from "node:assert/strict";
import { testDb } from "../lib/testing/services.ts";
import {
  activeVersion,
  exportVersion,
  getVersion,
  loadExtra,
  loadNetwork,
  pgHandler,
  promote,
  registerVersion,
  rollback,
} from "./registry.ts";
import { initTf, tf } from "./tf.ts";

const metrics = (mase: number) => ({
  score: { name: "mase", value: mase, better: "lower" as const },
  baseline: { name: "seasonal_naive", value: 1.0 },
});

Deno.test("registry - promotion refuses a worse model, --force is audited, rollback restores", async () => {
  await using db = await testDb("registry");
  const sql = db.sql;
  const v1 = await registerVersion(sql, {
    name: "forecast",
    params: {},
    metrics: metrics(0.8),
    trainedBy: "t",
  });
  const v2 = await registerVersion(sql, {
    name: "forecast",
    params: {},
    metrics: metrics(0.9),
    trainedBy: "t",
  });
  const v3 = await registerVersion(sql, {
    name: "forecast",
    params: {},
    metrics: metrics(1.2),
    trainedBy: "t",
  });
  assert.deepEqual([v1, v2, v3], [1, 2, 3]);

  const bad = await promote(sql, "forecast", v3, { actor: "ann" });
  assert.equal(bad.promoted, false);
  assert.match(bad.reason, /does not beat the seasonal_naive baseline/);

  assert.equal((await promote(sql, "forecast", v1, { actor: "ann" })).promoted, true);
  const worse = await promote(sql, "forecast", v2, { actor: "ann" });
  assert.equal(worse.promoted, false);
  assert.match(worse.reason, /mase 0\.9 does not beat active version 1 \(0\.8\)/);
  assert.equal((await activeVersion(sql, "forecast"))?.version, 1);

  const forced = await promote(sql, "forecast", v2, { actor: "bob", force: true });
  assert.equal(forced.promoted, true);
  assert.equal((await activeVersion(sql, "forecast"))?.version, 2);
  assert.equal((await getVersion(sql, "forecast", 1)).status, "retired");
  const events = await sql`select action, actor, version from model_events
                           where name = 'forecast' and action <> 'register' order by id`;
  assert.deepEqual(events.map((e) => `${e.action}:${e.actor}:${e.version}`), [
    "refuse:ann:3",
    "promote:ann:1",
    "refuse:ann:2",
    "promote_forced:bob:2",
  ]);

  assert.deepEqual(await rollback(sql, "forecast", { actor: "bob" }), { from: 2, to: 1 });
  assert.equal((await activeVersion(sql, "forecast"))?.version, 1);
  await assert.rejects(getVersion(sql, "forecast", 9), /no version 9; versions: 3, 2, 1/);
});

Deno.test("registry - tfjs artifacts round-trip through PostgreSQL and export as layers format", async () => {
  await using db = await testDb("registry_io");
  await initTf();
  const net = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [3], units: 4, activation: "relu" }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const v = await registerVersion(db.sql, {
    name: "churn",
    params: {},
    metrics: metrics(0.5),
    trainedBy: "t",
  });
  await net.save(pgHandler(db.sql, "churn", v, { scaler: { mean: [1, 2, 3] } }));
  const x = tf.tensor2d([[1, 2, 3], [0, -1, 5]]);
  const before = Array.from((net.predict(x) as tf.Tensor).dataSync());
  const loaded = await loadNetwork(db.sql, "churn", v);
  assert.deepEqual(Array.from((loaded.predict(x) as tf.Tensor).dataSync()), before);
  assert.deepEqual(await loadExtra(db.sql, "churn", v), { scaler: { mean: [1, 2, 3] } });

  const dir = await Deno.makeTempDir();
  try {
    const files = await exportVersion(db.sql, "churn", v, dir);
    assert.equal(files.length, 3);
    const modelJson = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    assert.equal(modelJson.format, "layers-model");
    assert.deepEqual(modelJson.weightsManifest[0].paths, ["weights.bin"]);
    const bytes = await Deno.readFile(`${dir}/weights.bin`);
    const expected = modelJson.weightsManifest[0].weights
      .reduce((a: number, w: { shape: number[] }) => a + 4 * w.shape.reduce((p, q) => p * q, 1), 0);
    assert.equal(bytes.byteLength, expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
    tf.dispose([x]);
  }
});
