import assert from "node:assert/strict";
import { type AlertState, decide } from "./lifecycle.ts";

const rule = { for_s: 0, interval_s: 60, resolve: { after_s: 120 } };
const on = { active: true, clear: false };
const off = { active: false, clear: true };
const between = { active: false, clear: false };

function run(r: typeof rule, seq: (typeof on)[], step = 60_000) {
  let alert: AlertState | null = null;
  let created = 0, resolved = 0;
  seq.forEach((obs, i) => {
    const now = i * step;
    const d = decide(r, alert, obs, now);
    if (d.do === "create") {
      created++;
      alert = { state: d.state, startedAt: now, clearSince: null, flapCount: 0 };
    } else if (d.do === "update") {
      alert = { ...alert!, state: d.state, clearSince: d.clearSince, flapCount: d.flapCount };
    } else if (d.do === "resolve" || d.do === "drop") {
      if (d.do === "resolve") resolved++;
      alert = null;
    }
  });
  return { created, resolved, alert: alert as AlertState | null };
}

Deno.test("alerts lifecycle - a condition toggling at every evaluation keeps one alert", () => {
  const seq = Array.from({ length: 40 }, (_, i) => i % 2 === 0 ? on : off);
  const r = run(rule, seq);
  assert.equal(r.created, 1);
  assert.equal(r.resolved, 0);
  assert.equal(r.alert?.flapCount, 19);
});

Deno.test("alerts lifecycle - resolves only after clear for resolve.after_s", () => {
  const r = run(rule, [on, off, off, off]);
  assert.equal(r.created, 1);
  assert.equal(r.resolved, 1);
  assert.equal(run(rule, [on, off, off]).resolved, 0);
});

Deno.test("alerts lifecycle - for_s holds an alert pending, and a clear pending one is dropped", () => {
  const slow = { ...rule, for_s: 180 };
  const r = run(slow, [on, on, on]);
  assert.equal(r.alert?.state, "pending");
  assert.equal(run(slow, [on, on, on, on]).alert?.state, "firing");
  assert.equal(run(slow, [on, off]).alert, null);
});

Deno.test("alerts lifecycle - hysteresis: between thresholds the state holds", () => {
  const r = run(rule, [on, between, between, between, between]);
  assert.equal(r.alert?.state, "firing");
  assert.equal(r.resolved, 0);
});

Deno.test("alerts lifecycle - a flapping alert needs three times the clear period", () => {
  const seq = [on, off, on, off, on, off, on, off, off, off, off];
  const r = run(rule, seq);
  assert.equal(r.resolved, 0, "flapped 3 times: 2 min clear is not enough");
  const r2 = run(rule, [...seq, off, off, off, off]);
  assert.equal(r2.resolved, 1);
});
