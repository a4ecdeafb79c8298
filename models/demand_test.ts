import assert from "node:assert/strict";
import { testDb } from "../lib/testing/services.ts";
import { DAY_MS } from "./calendar.ts";
import { rng } from "./tf.ts";
import { backtestDemand, trainDemand } from "./demand.ts";
import { promote } from "./registry.ts";

/** Poisson-ish daily units: mean `mu`, seeded. */
function units(days: number, mu: number, random: () => number): Float64Array {
  return Float64Array.from({ length: days }, () => {
    let k = 0, p = Math.exp(-mu), s = p;
    const u = random();
    while (u > s && k < 50) s += p *= mu / ++k;
    return k;
  });
}

Deno.test("models - demand backtest is scaled by units sold and skips days with no data", () => {
  const random = rng(3);
  const full = [units(42, 2, random), units(42, 0.3, random), units(42, 5, random)];
  const r = backtestDemand(full, 42, 14, 28);
  assert.equal(r.days, 14);
  assert.ok(r.wape > 0 && r.wape < r.naiveWape, JSON.stringify(r));

  // The seam of a fresh start: the last 10 days are not in sku_daily yet. Before, "same as
  // yesterday" scored a perfect 0 on them and the ratio became 1.98e14.
  const cut = full.map((u) => u.map((x, t) => t >= 32 ? 0 : x));
  const seam = backtestDemand(cut, 42, 14, 28);
  assert.equal(seam.days, 4); // days 28..31 of the 14 measured (28..41)
  assert.ok(Number.isFinite(seam.wape) && Number.isFinite(seam.naiveWape));
  assert.equal(backtestDemand(full.map(() => new Float64Array(42)), 42, 14, 28).days, 0);
});

Deno.test("models - demand refuses a history that ends days ago, then trains and beats its baseline", async () => {
  await using db = await testDb("demand");
  const now = Date.parse("2026-03-20T12:00:00Z");
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const random = rng(5);
  const write = async (fromDay: number, toDay: number) => {
    const rows = [];
    for (let s = 0; s < 20; s++) {
      const u = units(toDay - fromDay, 0.5 + (s % 4), random);
      for (let d = fromDay; d < toDay; d++) {
        if (u[d - fromDay] > 0) {
          rows.push({
            store_id: "S1",
            day: new Date(today - d * DAY_MS).toISOString().slice(0, 10),
            sku: `K${s}`,
            category: "C",
            units: u[d - fromDay],
          });
        }
      }
    }
    await db.sql`insert into sku_daily ${db.sql(rows)}`;
  };
  await write(10, 42); // days -42 .. -11: the backfill has not reached the last 10 days
  await assert.rejects(() => trainDemand(db.sql, { now }), /sku_daily ends at 2026-03-10/);
  await write(1, 10);
  const r = await trainDemand(db.sql, { now });
  assert.equal(r.metrics.score.name, "wape");
  assert.equal(r.metrics.days, 14);
  assert.ok(r.metrics.score.value < r.metrics.baseline.value, JSON.stringify(r.metrics));
  assert.equal((await promote(db.sql, "demand", r.version, { actor: "test" })).promoted, true);
});
