import assert from "node:assert/strict";
import fc from "fast-check";
import { localDate, localFields, localToInstant, zoneOffsetMinutes } from "./timezone.ts";

const ZONES = [
  "UTC",
  "Europe/London",
  "America/New_York",
  "America/St_Johns",
  "Asia/Kolkata",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Asia/Kathmandu",
];

function reference(ms: number, tz: string) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    }).formatToParts(ms).map((x) => [x.type, x.value]),
  );
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    hour: Number(p.hour),
    minute: Number(p.minute),
    weekday: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(p.weekday),
  };
}

Deno.test("timezone - local date, hour, minute and weekday agree with Intl for any instant", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2040, 0, 1) }),
      fc.constantFrom(...ZONES),
      (ms, tz) => {
        const ref = reference(ms, tz);
        const f = localFields(ms, tz);
        assert.equal(localDate(ms, tz), ref.date);
        assert.equal(f.hour, ref.hour);
        assert.equal(f.minute, ref.minute);
        assert.equal(f.weekday, ref.weekday);
      },
    ),
    { numRuns: 2000, seed: 7 },
  );
});

Deno.test("timezone - around a DST switch the local date and offset follow the clock", () => {
  // London: clocks went forward at 01:00 UTC on 2026-03-29.
  assert.equal(zoneOffsetMinutes(Date.UTC(2026, 2, 29, 0, 59), "Europe/London"), 0);
  assert.equal(zoneOffsetMinutes(Date.UTC(2026, 2, 29, 1, 0), "Europe/London"), 60);
  // 23:30 UTC on 2026-06-30 is already July 1st in London (BST).
  assert.equal(localDate(Date.UTC(2026, 5, 30, 23, 30), "Europe/London"), "2026-07-01");
  assert.equal(localDate(Date.UTC(2026, 11, 31, 23, 30), "Europe/London"), "2026-12-31");
});

Deno.test("timezone - a wall time maps to the instant the clock shows it (gap and overlap)", () => {
  const f = { year: 2026, month: 11, day: 1, hour: 1, minute: 30, second: 0 };
  // New York's 01:30 happens twice on 2026-11-01: the first (EDT, UTC-4) wins.
  assert.equal(localToInstant(f, "America/New_York"), Date.UTC(2026, 10, 1, 5, 30));
  // 02:30 on 2026-03-08 does not exist in New York: read just after the jump.
  const gap = localToInstant({ ...f, month: 3, day: 8, hour: 2 }, "America/New_York");
  assert.equal(gap, Date.UTC(2026, 2, 8, 7, 30));
});
