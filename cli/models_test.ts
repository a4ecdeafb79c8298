import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { modelsCommand, parseModelsArgs } from "./models.ts";
import { progressLine } from "./progress_bar.ts";
import { registerVersion } from "../models/registry.ts";
import { rng } from "../models/tf.ts";
import { DENO_RUN } from "../lib/testing/deno_run.ts";

async function cli(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, new URL("./models.ts", import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { TILLSTREAM_LOCAL_SERVICES: "off" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("models cli - detect flags planted spikes and a level shift in a CSV", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const start = Date.parse("2026-02-02T00:00:00Z");
    const lines = ["timestamp,value"];
    const random = rng(9);
    for (let i = 0; i < 24 * 21; i++) {
      const base = 50 + 30 * Math.sin((2 * Math.PI * (i % 24)) / 24) +
        (random() + random() + random()) * 2;
      const v = base + (i === 300 || i === 420 ? 60 : 0) + (i >= 460 ? 40 : 0);
      // Mixed formats: offset ISO, naive "YYYY-MM-DD HH:MM:SS", epoch seconds.
      const t = new Date(start + i * 3_600_000);
      const ts = i % 3 === 0
        ? t.toISOString().replace("Z", "+00:00")
        : i % 3 === 1
        ? t.toISOString().slice(0, 19).replace("T", " ")
        : String(t.getTime() / 1000);
      lines.push(`${ts},${v.toFixed(2)}`);
    }
    await Deno.writeTextFile(`${dir}/s.csv`, lines.join("\n"));
    const r = await cli([
      "detect",
      "--input",
      `${dir}/s.csv`,
      "--output",
      `${dir}/f.csv`,
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.rows, 24 * 21);
    assert.equal(summary.intervalSeconds, 3600);
    const out = (await Deno.readTextFile(`${dir}/f.csv`)).trim().split("\n");
    assert.equal(out[0], "timestamp,value,score,is_anomaly");
    assert.equal(out.length, 24 * 21 + 1);
    const flagged = out.slice(1).flatMap((l, i) => l.endsWith(",true") ? [i] : []);
    for (const i of [300, 420, 460]) {
      assert.ok(flagged.includes(i), `row ${i} not flagged: ${flagged}`);
    }
    assert.ok(flagged.length <= 8, `too many flags: ${flagged}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("models cli - bad arguments exit 2 with a clear message", async () => {
  const r = await cli(["train", "weather"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown model "weather"; one of forecast, anomaly, demand, churn/);
  const d = await cli(["detect", "--input", "/nonexistent.csv"]);
  assert.equal(d.code, 1);
  assert.match(d.stderr, /cannot read --input \/nonexistent.csv/);
  assert.throws(() => parseModelsArgs(["promote", "forecast", "x"]), /not a version number/);
  assert.throws(() => parseModelsArgs(["train", "forecast", "--from", "soon"]), /not a date/);
  assert.throws(
    () => parseModelsArgs(["train", "forecast", "--epochs", "0"]),
    /--epochs must be a whole number of at least 1, got 0/,
  );
  assert.throws(
    () => parseModelsArgs(["detect", "--input", "x.csv", "--threshold=-2"]),
    /--threshold must be a number above 0, got -2/,
  );
});

Deno.test("models cli - list, refused promote and progress line", async () => {
  await using rt = await testRuntime("models_cli");
  const m = (v: number) => ({
    score: { name: "mase", value: v, better: "lower" as const },
    baseline: { name: "seasonal_naive", value: 1 },
  });
  await registerVersion(rt.sql, { name: "forecast", params: {}, metrics: m(0.7), trainedBy: "t" });
  await registerVersion(rt.sql, { name: "forecast", params: {}, metrics: m(0.9), trainedBy: "t" });
  assert.match(await modelsCommand(rt, ["promote", "forecast", "1"]), /forecast@1 is active/);
  await assert.rejects(modelsCommand(rt, ["promote", "forecast", "2"]), /not promoted: .*--force/);
  const list = JSON.parse(await modelsCommand(rt, ["list", "--json"]));
  assert.deepEqual(
    list.map((r: { version: number; status: string }) => `${r.version}:${r.status}`),
    [
      "2:candidate",
      "1:active",
    ],
  );
  assert.match(await modelsCommand(rt, ["list"]), /forecast\s+1\s+active\s+mase 0.7/);
  assert.match(
    progressLine({
      model: "forecast",
      phase: "train",
      epoch: 2,
      epochs: 4,
      loss: 0.25,
      elapsedMs: 2000,
    }),
    /forecast \[#+\.+\] epoch 2\/4 {2}loss 0.2500 {2}ETA 2 s/,
  );
});
