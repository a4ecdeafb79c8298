import assert from "node:assert/strict";
import { run } from "./ingest.ts";
import { bench, benchNames } from "../cli/bench.ts";
import {
  assertScratchRemoved,
  TEST_DATABASE_URL,
  TEST_REDIS_URL,
} from "../lib/testing/services.ts";

Deno.test("bench ingest - a short run reports both paths and leaves nothing behind", async () => {
  const env = { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL };
  for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    assert.equal(await run(["--seconds", "0.3", "--server", "handler", "--json"]), 0);
  } finally {
    console.log = log;
  }
  const out = JSON.parse(lines.at(-1)!);
  assert.equal(out.benchmark, "ingest");
  assert.ok(out.direct.accepted > 0 && out.direct.perSecond > 0);
  assert.ok(out.http.accepted > 0 && out.http.failedRequests === 0);
  assert.equal(out.http.server, "handler");
  await assertScratchRemoved(out.scratch);
});

Deno.test("bench - the dispatcher lists bench modules and refuses unknown names", async () => {
  assert.ok((await benchNames()).includes("ingest"));
  await assert.rejects(bench(["nope"]), /unknown benchmark "nope"; available: .*ingest/);
  await assert.rejects(bench([]), /which benchmark\?/);
});
