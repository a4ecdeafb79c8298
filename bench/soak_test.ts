import assert from "node:assert/strict";
import { LogTally, promValue, run, slope } from "./soak.ts";
import {
  assertScratchRemoved,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
} from "../lib/testing/services.ts";

Deno.test("bench soak - slope, Prometheus values and the log tally", () => {
  assert.equal(slope([[0, 1], [1, 3], [2, 5]]), 2);
  assert.equal(slope([[0, 1], [1, NaN], [2, 5]]), null, "fewer than three points");
  assert.equal(slope([[0, 7], [1, 7], [2, 7], [3, 7]]), 0);
  const text = [
    "# HELP tillstream_pipeline_lag x",
    'tillstream_pipeline_lag{family="sales",partition="0"} 3',
    'tillstream_pipeline_lag{family="sales",partition="1"} 4',
    "tillstream_pipeline_lag_other 100",
    "tillstream_dlq_size 0",
  ].join("\n");
  assert.equal(promValue(text, "tillstream_pipeline_lag"), 7);
  assert.equal(promValue(text, "tillstream_dlq_size"), 0);
  assert.equal(promValue(text, "tillstream_missing"), null);
  const t = new LogTally();
  t.add('{"t":"x","level":"info","msg":"up"}');
  t.add('{"t":"x","level":"warn","msg":"slow","ms":1}');
  t.add('{"t":"x","level":"warn","msg":"slow","ms":2}');
  t.add("error: Uncaught (in promise) boom");
  const s = t.summary();
  assert.deepEqual(s.lines, { info: 1, warn: 2, other: 1 });
  assert.equal(s.warnings_and_errors.length, 1);
  assert.equal(s.warnings_and_errors[0].count, 2);
  assert.match(s.warnings_and_errors[0].first, /"ms":1/);
  assert.deepEqual(s.other, ["error: Uncaught (in promise) boom"]);
});

Deno.test("bench soak - a short run of the whole system samples it, stops it cleanly, loses no receipt and leaves nothing behind", async () => {
  for (
    const [k, v] of Object.entries({ DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL })
  ) {
    Deno.env.set(k, v);
  }
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  let code: number;
  try {
    code = await run([
      "--minutes",
      "0.4",
      "--every",
      "6",
      "--backfill-days",
      "0",
      "--rate",
      "40",
      "--json",
    ]);
  } finally {
    console.log = log;
  }
  const out = JSON.parse(lines.at(-1)!);
  assert.equal(code, 0, JSON.stringify(out.child));
  assert.equal(out.benchmark, "soak");
  assert.deepEqual(out.child, {
    code: 0,
    shutdown_ms: out.child.shutdown_ms,
    ran_to_the_end: true,
  });
  assert.ok(out.samples.length >= 3, `${out.samples.length} samples`);
  const last = out.samples.at(-1);
  assert.ok(
    last.rss_mb > 0 && last.heap_mb > 0 && last.external_mb > 0,
    "memory comes from the child's /metrics",
  );
  assert.equal(out.shape, "flat");
  // The flat shape sends at any hour (the daily one sends nothing while the US stores are shut).
  assert.ok(
    last.receipts > out.samples[0].receipts,
    `receipts keep arriving: ${out.samples.map((s: { receipts: number }) => s.receipts)}`,
  );
  assert.equal(out.page_ms.failed_requests, 0, JSON.stringify(out.page_ms.failures));
  assert.ok(out.receipts.in_postgres > 0);
  assert.equal(out.receipts.all_accounted_for, true, JSON.stringify(out.receipts));
  assert.equal(
    out.receipts.in_postgres + out.receipts.dead_lettered + out.receipts.unacknowledged_at_stop,
    out.receipts.added_to_streams,
  );
  assert.equal(out.log.lines.error ?? 0, 0, JSON.stringify(out.log.warnings_and_errors));
  await assertScratchRemoved(out.scratch);
});
