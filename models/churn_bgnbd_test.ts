import assert from "node:assert/strict";
import { fitBgNbd, lnGamma, pAlive, pQuiet, rateIfAlive, type Rfm } from "./churn_bgnbd.ts";
import { rng } from "./tf.ts";

Deno.test("bgnbd - lnGamma matches known values", () => {
  assert.ok(Math.abs(lnGamma(1)) < 1e-12);
  assert.ok(Math.abs(lnGamma(0.5) - Math.log(Math.sqrt(Math.PI))) < 1e-12);
  assert.ok(Math.abs(lnGamma(10) - Math.log(362_880)) < 1e-10);
  assert.ok(Math.abs(lnGamma(0.1) - 2.252712651734206) < 1e-10);
});

/** Customers drawn from the BG/NBD process itself, observed for 30-90 days each. */
function simulated(n: number, p: { r: number; alpha: number; a: number; b: number }): Rfm[] {
  const u = rng(11);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  // Marsaglia–Tsang, with the shape < 1 boost.
  const gamma = (k: number): number => {
    if (k < 1) return gamma(k + 1) * Math.pow(u(), 1 / k);
    const d = k - 1 / 3, c = 1 / Math.sqrt(9 * d);
    for (;;) {
      const z = normal(), v = (1 + c * z) ** 3;
      if (v > 0 && Math.log(u()) < z * z / 2 + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  return Array.from({ length: n }, () => {
    const lambda = gamma(p.r) / p.alpha;
    const g = gamma(p.a), drop = g / (g + gamma(p.b));
    const T = 30 + 60 * u();
    let t = 0, x = 0, tx = 0;
    for (;;) {
      t += -Math.log(1 - u()) / lambda;
      if (t > T) break;
      x++;
      tx = t;
      if (u() < drop) break;
    }
    return { x, tx, T };
  });
}

Deno.test("bgnbd - the fit recovers the parameters of customers drawn from the model", () => {
  const truth = { r: 0.8, alpha: 10, a: 0.6, b: 3 };
  const fit = fitBgNbd(simulated(8000, truth));
  // The mean purchase rate r/α and the mean drop-out chance a/(a+b) are what the data pin down.
  const rate = fit.r / fit.alpha, drop = fit.a / (fit.a + fit.b);
  assert.ok(Math.abs(rate / (truth.r / truth.alpha) - 1) < 0.1, `rate ${rate}`);
  assert.ok(Math.abs(drop - truth.a / (truth.a + truth.b)) < 0.05, `drop-out ${drop}`);
  assert.ok(Math.abs(fit.r / truth.r - 1) < 0.25, `r ${fit.r}`);
});

Deno.test("bgnbd - a long silence lowers P(alive) and raises P(no purchase), more so for frequent buyers", () => {
  const p = { r: 1.5, alpha: 11, a: 0.03, b: 2 };
  const frequent = (tx: number): Rfm => ({ x: 8, tx, T: 30 });
  const rare = (tx: number): Rfm => ({ x: 1, tx, T: 30 });
  assert.equal(pAlive(p, { x: 0, tx: 0, T: 30 }), 1, "no repeat purchase: no chance to leave yet");
  assert.ok(pAlive(p, frequent(29)) > pAlive(p, frequent(15)));
  assert.ok(pAlive(p, frequent(15)) < pAlive(p, rare(15)), "a silence means more after 8 visits");
  assert.ok(pQuiet(p, frequent(15), 29) > pQuiet(p, frequent(29), 29));
  assert.ok(pQuiet(p, rare(29), 29) > pQuiet(p, frequent(29), 29), "rare buyers go quiet more");
  assert.ok(rateIfAlive(p, frequent(29)) > rateIfAlive(p, rare(29)));
  for (const c of [frequent(1), rare(29), { x: 0, tx: 0, T: 1 }]) {
    const q = pQuiet(p, c, 29);
    assert.ok(q > 0 && q < 1, `P(quiet) ${q}`);
  }
});
