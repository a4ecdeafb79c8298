import assert from "node:assert/strict";
import { NARROW_AFTER_MS, WIDEN_AFTER_READS, widthControl } from "./worker.ts";

Deno.test("worker width - widens after full reads in a row, narrows after a quiet spell", () => {
  let now = 0;
  const c = widthControl(1_000, () => now);
  // Narrow: reads of at least half a batch, in a row, widen; a smaller one starts the count over.
  for (let i = 1; i < WIDEN_AFTER_READS; i++) assert.equal(c.changeAfter(false, 600), false);
  assert.equal(c.changeAfter(false, 499), false, "a read under half a batch breaks the run");
  for (let i = 1; i < WIDEN_AFTER_READS; i++) assert.equal(c.changeAfter(false, 500), false);
  assert.equal(c.changeAfter(false, 1_000), true);
  // Wide: a read of a quarter batch keeps the width; NARROW_AFTER_MS without one narrows.
  c.reset();
  now += NARROW_AFTER_MS - 1;
  assert.equal(c.changeAfter(true, 250), false, "a quarter batch: still busy");
  now += NARROW_AFTER_MS - 1;
  assert.equal(c.changeAfter(true, 249), false, "quiet, but not for long enough");
  now += 1;
  assert.equal(c.changeAfter(true, 0), true);
  // After a change the counts start afresh.
  c.reset();
  assert.equal(c.changeAfter(false, 1_000), false, "one full read is not yet a backlog");
});
