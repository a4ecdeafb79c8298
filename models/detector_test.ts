import assert from "node:assert/strict";
import fc from "fast-check";
import { detectInterval, detectSeries } from "./detector.ts";
import { parseSeriesCsv, parseTimestamp } from "./series_csv.ts";
import { rng } from "./tf.ts";

/** Six weeks of hourly data with daily and weekly seasonality, spikes and one level shift. */
function planted(seed = 3) {
  const random = rng(seed);
  const start = Date.parse("2026-02-02T00:00:00Z");
  const n = 42 * 24;
  const spikes = new Set([400, 555, 700, 810, 950]);
  const shiftAt = 860;
  const points = Array.from({ length: n }, (_, i) => {
    const hour = i % 24, dow = Math.floor(i / 24) % 7;
    const base = 100 + 60 * Math.sin(((hour - 6) / 24) * 2 * Math.PI) + (dow >= 5 ? 40 : 0);
    const noise = (random() + random() + random() - 1.5) * 8;
    let v = base + noise + (i >= shiftAt ? 80 : 0);
    if (spikes.has(i)) v += 120;
    return { t: start + i * 3_600_000, value: v };
  });
  return { points, spikes, shiftAt };
}

Deno.test("detector - flags planted spikes and a level shift, with few false alarms", () => {
  const { points, spikes, shiftAt } = planted();
  const { intervalMs, scored } = detectSeries(points);
  assert.equal(intervalMs, 3_600_000);
  const flagged = scored.flatMap((s, i) => s.isAnomaly ? [i] : []);
  for (const i of spikes) {
    assert.ok(scored[i].isAnomaly, `spike at ${i} missed (score ${scored[i].score})`);
  }
  assert.ok(scored[shiftAt].isAnomaly, `level shift at ${shiftAt} missed`);
  const truth = new Set([...spikes, shiftAt, shiftAt + 1, shiftAt + 2, shiftAt + 3]);
  const tp = flagged.filter((i) => truth.has(i)).length;
  assert.ok(tp / flagged.length >= 0.8, `precision ${tp}/${flagged.length}: ${flagged.join(",")}`);
});

Deno.test("detector - decisions are online: a point's score ignores later points", () => {
  const { points } = planted(5);
  const full = detectSeries(points).scored;
  const prefix = detectSeries(points.slice(0, 600), { intervalMs: 3_600_000 }).scored;
  for (let i = 0; i < 600; i++) assert.equal(prefix[i].score, full[i].score);
});

Deno.test("detector - timestamps in every accepted format and the interval from the data", () => {
  const t = Date.parse("2026-03-01T13:00:00Z");
  assert.equal(parseTimestamp("2026-03-01T14:00:00+01:00"), t);
  assert.equal(parseTimestamp("2026-03-01T13:00:00Z"), t);
  assert.equal(parseTimestamp("2026-03-01T13:00:00"), t);
  assert.equal(parseTimestamp("2026-03-01 13:00:00"), t);
  assert.equal(parseTimestamp("2026-03-01 08:00:00-0500"), t);
  assert.equal(parseTimestamp(String(t / 1000)), t);
  assert.equal(parseTimestamp(String(t)), t);
  assert.equal(parseTimestamp("2026-02-30 10:00:00"), null);
  assert.equal(parseTimestamp("yesterday"), null);
  const csv = "time,value\n2026-03-01 13:00:00,1\n2026-03-01 13:05:00,2\n2026-03-01 13:10:00,3\n";
  const pts = parseSeriesCsv(csv);
  assert.equal(detectInterval(pts.map((p) => p.t)), 300_000);
  assert.throws(() => parseSeriesCsv("t,value\n2026-03-01,1\nnope,2\n"), /line 3: "nope"/);
  fc.assert(fc.property(fc.integer({ min: 0, max: 4_000_000_000 }), (sec) => {
    const iso = new Date(sec * 1000).toISOString();
    return parseTimestamp(iso) === sec * 1000 && parseTimestamp(String(sec)) === sec * 1000;
  }));
});
