import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { FAMILIES } from "../lib/keys.ts";
import { publishSimulatorState } from "../ingest/simulator/state.ts";
import { pipelineUnsettled, SETTLED_BACKLOG } from "./settled.ts";

Deno.test("scheduler - pipeline is unsettled while the simulator backfills or streams hold a backlog", async () => {
  await using rt = await testRuntime("settled");
  assert.equal(await pipelineUnsettled(rt), null);

  await publishSimulatorState(rt, { phase: "backfill", done: 205, total: 673 });
  assert.equal(
    await pipelineUnsettled(rt),
    "simulator still backfilling history (205 of 673 hours)",
  );

  // Backfill sent, workers not done: the streams' backlog counts.
  await publishSimulatorState(rt, { phase: "live", rate: 0.3 });
  const stream = rt.keys.streams(FAMILIES[0], rt.partitions)[0];
  const pipe = rt.redis.pipeline();
  for (let i = 0; i <= SETTLED_BACKLOG; i++) pipe.xadd(stream, "*", "e", "{}");
  await pipe.exec();
  assert.match(
    String(await pipelineUnsettled(rt)),
    new RegExp(`processing ${SETTLED_BACKLOG + 1} stream entries`),
  );
  await rt.redis.del(stream);
  assert.equal(await pipelineUnsettled(rt), null);
});
