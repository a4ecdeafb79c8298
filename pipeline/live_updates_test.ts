import assert from "node:assert/strict";
import { DAY_MS, HOUR_MS } from "../lib/clock.ts";
import { emptyBucket } from "./series.ts";
import { LIVE_WINDOW_MS, liveUpdate, TICKER_RECEIPTS } from "./live_updates.ts";
import { makeReceipts } from "../tests/pipeline_fixtures.ts";

const AT = Date.parse("2026-11-25T11:30:00Z");

Deno.test("live updates - whole-store buckets of the last two days, the newest receipts", () => {
  const minute = AT - 60_000;
  // The day of a store at UTC-12 where it is 23:30 on the 24th: 35.5 h before the commit.
  const farWestDay = Date.UTC(2026, 10, 24);
  const buckets = [
    emptyBucket("minute", "S1", "*", minute),
    emptyBucket("minute", "S1", "grocery", minute), // per category: read from the series store
    emptyBucket("day", "S1", "*", farWestDay),
    emptyBucket("hour", "*", "*", AT - LIVE_WINDOW_MS), // a backlog's old history
    emptyBucket("day", "S1", "*", AT - 30 * DAY_MS),
  ];
  const receipts = makeReceipts({ count: 30, start: AT - HOUR_MS, stepMs: 60_000 });
  const u = liveUpdate(AT, buckets, receipts, 0, 0);
  assert.deepEqual(
    u.buckets.map((b) => [b.resolution, b.category, b.bucket]),
    [["minute", "*", minute], ["day", "*", farWestDay]],
  );
  assert.equal(u.receipts.length, TICKER_RECEIPTS);
  assert.equal(u.receipts[0].ts, Math.max(...receipts.map((r) => r.ts)));
});
