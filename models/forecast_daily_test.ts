import assert from "node:assert/strict";
import { dailyCalibration } from "./forecast_daily.ts";
import type { SeriesSet } from "./series.ts";

Deno.test("daily forecast - a young history padded with zeros still gives a band around p50", () => {
  // 8-week window, but the stores only opened 4 weeks ago (the demo's 28-day backfill).
  const length = 56, opened = 28;
  let seed = 3;
  const noise = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
  const series = ["S1", "S2", "S3", "*"].map((store) => {
    const values = new Float64Array(length);
    for (let t = opened; t < length; t++) {
      const weekly = [1, 0.9, 0.95, 1, 1.2, 1.5, 1.3][t % 7];
      values[t] = Math.round(100_000 * weekly * (1 + 0.2 * noise()));
    }
    return { store, category: "*", values };
  });
  const set: SeriesSet = {
    start: 0,
    length,
    stepMs: 86_400_000,
    series,
    timezones: new Map(),
  };
  const cal = dailyCalibration(set);
  const [lo, hi] = cal.q.store;
  assert.ok(lo < 1 && hi > 1, `store band [${lo}, ${hi}] must bracket the median`);
  assert.ok(lo > 0.6 && hi < 1.4, `store band [${lo}, ${hi}] is as wide as the noise, not 2x`);
  assert.ok(cal.mase < cal.baselineMase * 1.2, "weekday mean is no worse than naive");
});
