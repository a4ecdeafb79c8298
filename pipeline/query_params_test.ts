import assert from "node:assert/strict";
import fc from "fast-check";
import { dateMs, localDay, parseDay, parseInstant, QueryError } from "./query_params.ts";
import { toSalesRow } from "./query.ts";
import { emptyBucket } from "./series.ts";

const instants = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2099, 11, 31) })
  .map((ms) => Math.floor(ms / 1000) * 1000);

Deno.test("query params - any ISO instant with any offset parses back to the same moment", () => {
  fc.assert(
    fc.property(instants, fc.integer({ min: -14 * 60, max: 14 * 60 }), (ms, offsetMin) => {
      const local = new Date(ms + offsetMin * 60_000).toISOString().slice(0, 19);
      const sign = offsetMin < 0 ? "-" : "+";
      const abs = Math.abs(offsetMin);
      const off = `${String(Math.floor(abs / 60)).padStart(2, "0")}:${
        String(abs % 60).padStart(2, "0")
      }`;
      assert.equal(parseInstant("from", `${local}${sign}${off}`), ms);
      assert.equal(parseInstant("from", `${local}${sign}${off.replace(":", "")}`), ms);
    }),
    { seed: 7, numRuns: 300 },
  );
});

Deno.test("query params - impossible dates and times are refused, never rolled over", () => {
  for (
    const bad of [
      "2026-02-29",
      "2026-13-01",
      "2026-11-31",
      "2026-11-25T24:00Z",
      "2026-11-25T12:60Z",
      "2026-11-25 12:00",
      "1732540000000",
    ]
  ) {
    assert.throws(() => parseInstant("to", bad), QueryError, bad);
  }
  assert.equal(dateMs("2028-02-29"), Date.UTC(2028, 1, 29));
  assert.equal(parseDay("date", "2026-11-25T23:30:00-05:00"), Date.UTC(2026, 10, 25));
  assert.throws(() => parseDay("date", "2026-11-25T99:00Z"), QueryError);
  assert.equal(
    localDay(Date.parse("2026-11-25T03:00:00Z"), "America/New_York"),
    Date.UTC(2026, 10, 24),
  );
  assert.equal(localDay(Date.parse("2026-11-25T23:30:00Z"), "Asia/Tokyo"), Date.UTC(2026, 10, 26));
});

Deno.test("query params - average ticket is sales / transactions rounded half up, exactly", () => {
  fc.assert(
    fc.property(fc.nat(2 ** 40), fc.integer({ min: 1, max: 1_000_000 }), (cents, t) => {
      const row = toSalesRow({
        ...emptyBucket("hour", "S1", "*", 0),
        sales_cents: cents,
        transactions: t,
      }, 2);
      const exact = (2n * BigInt(cents) + BigInt(t)) / (2n * BigInt(t));
      const text = `${exact / 100n}.${String(exact % 100n).padStart(2, "0")}`;
      assert.equal(row.avg_ticket, text);
    }),
    { seed: 11, numRuns: 500 },
  );
});
