/**
 * BG/NBD (Fader, Hardie & Lee 2005, "Counting your customers the easy way"): while alive, a
 * customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each purchase they leave
 * for good with probability p ~ Beta(a, b). Four population parameters, fitted by maximum
 * likelihood on (x repeat purchases, last at t_x, observed for T days); then, per customer, the
 * closed forms for P(still alive) and P(no purchase in the next h days).
 *
 * Why here: with a short label horizon most "churn" labels are quiet spells of occasional buyers,
 * not departures. Telling the two apart needs each customer's rate shrunk towards the population
 * (one purchase in 3 days is not a rate of 1/3 a day) — the Gamma-Poisson posterior does exactly
 * that, and P(alive) weighs recency against the customer's own pace.
 */

/** One customer's summary at a cutoff, days since their first purchase. */
export interface Rfm {
  /** Repeat purchases (all purchases but the first). */
  x: number;
  /** Days from the first to the last purchase. */
  tx: number;
  /** Days from the first purchase to the cutoff. */
  T: number;
}

/** Fitted population parameters. */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

// Lanczos approximation (g = 7, n = 9); |error| < 1e-13 for x > 0.
const LANCZOS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let s = LANCZOS[0];
  for (let i = 1; i < 9; i++) s += LANCZOS[i] / (x + i);
  const t = x + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(s);
}

const lnBeta = (a: number, b: number) => lnGamma(a) + lnGamma(b) - lnGamma(a + b);

/** Log-likelihood of one customer (FHL 2005, eq. 6). */
export function logLikelihood(p: BgNbdParams, c: Rfm): number {
  return totalLogLikelihood(p, [c]);
}

/** Sum of {@link logLikelihood} over customers; the Γ and B terms are computed once per x. */
export function totalLogLikelihood(p: BgNbdParams, customers: Rfm[]): number {
  const { r, alpha, a, b } = p;
  const head = new Map<number, number>();
  const base = -lnGamma(r) + r * Math.log(alpha) - lnBeta(a, b);
  let sum = 0;
  for (const c of customers) {
    let h = head.get(c.x);
    if (h === undefined) {
      h = base + lnGamma(r + c.x) + lnBeta(a, b + c.x);
      head.set(c.x, h);
    }
    const stay = -(r + c.x) * Math.log(alpha + c.T);
    if (c.x === 0) {
      sum += h + stay;
      continue;
    }
    const left = Math.log(a / (b + c.x - 1)) - (r + c.x) * Math.log(alpha + c.tx);
    const m = Math.max(stay, left);
    sum += h + m + Math.log(Math.exp(stay - m) + Math.exp(left - m));
  }
  return sum;
}

/** Nelder–Mead minimisation of `f` from `x0` (enough for 4 smooth parameters). */
function nelderMead(f: (x: number[]) => number, x0: number[], iterations = 600): number[] {
  const n = x0.length;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + 0.5 : v)))].map((x) => ({
    x,
    v: f(x),
  }));
  const at = (c: number[], d: number[], k: number) => c.map((v, i) => v + k * (d[i] - v));
  for (let it = 0; it < iterations; it++) {
    simplex.sort((p, q) => p.v - q.v);
    const best = simplex[0], worst = simplex[n];
    if (Math.abs(worst.v - best.v) < 1e-9 * (1 + Math.abs(best.v))) break;
    const centroid = x0.map((_, i) => simplex.slice(0, n).reduce((s, p) => s + p.x[i], 0) / n);
    const reflect = at(centroid, worst.x, -1), vr = f(reflect);
    if (vr < best.v) {
      const expand = at(centroid, worst.x, -2), ve = f(expand);
      simplex[n] = ve < vr ? { x: expand, v: ve } : { x: reflect, v: vr };
    } else if (vr < simplex[n - 1].v) {
      simplex[n] = { x: reflect, v: vr };
    } else {
      const contract = at(centroid, worst.x, 0.5), vc = f(contract);
      if (vc < worst.v) simplex[n] = { x: contract, v: vc };
      else {
        simplex = simplex.map((p, i) => {
          if (!i) return p;
          const x = at(best.x, p.x, 0.5);
          return { x, v: f(x) };
        });
      }
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  return simplex[0].x;
}

/** Maximum-likelihood parameters for the customers (searched on the log scale). */
export function fitBgNbd(customers: Rfm[]): BgNbdParams {
  if (!customers.length) throw new Error("BG/NBD needs at least one customer to fit");
  const unpack = (z: number[]) => ({
    r: Math.exp(z[0]),
    alpha: Math.exp(z[1]),
    a: Math.exp(z[2]),
    b: Math.exp(z[3]),
  });
  const nll = (z: number[]) => {
    // Keep the search inside a range where the closed forms stay finite.
    if (z.some((v) => Math.abs(v) > 12)) return Infinity;
    const s = -totalLogLikelihood(unpack(z), customers);
    return Number.isFinite(s) ? s : Infinity;
  };
  // Start: a rate near the observed mean and a dropout chance of about 1 in 5 per purchase.
  const meanRate = customers.reduce((s, c) => s + c.x, 0) /
    Math.max(1, customers.reduce((s, c) => s + c.T, 0));
  const z0 = [0, Math.log(1 / Math.max(meanRate, 1e-3)), 0, Math.log(4)];
  return unpack(nelderMead(nll, nelderMead(nll, z0)));
}

/** P(the customer is still active at the cutoff) (FHL 2005, eq. 13). */
export function pAlive(p: BgNbdParams, c: Rfm): number {
  if (c.x === 0) return 1;
  const odds = (p.a / (p.b + c.x - 1)) *
    Math.exp((p.r + c.x) * (Math.log(p.alpha + c.T) - Math.log(p.alpha + c.tx)));
  return 1 / (1 + odds);
}

/** Posterior mean purchase rate (per day) of a customer who is alive. */
export function rateIfAlive(p: BgNbdParams, c: Rfm): number {
  return (p.r + c.x) / (p.alpha + c.T);
}

/**
 * P(no purchase in the next `h` days): gone already, or alive and quiet for h days (a customer
 * only leaves right after a purchase, so an alive one with no purchase is still alive):
 * 1 − P(alive) + P(alive)·E[e^{−λh}], with λ | alive ~ Gamma(r + x, α + T).
 */
export function pQuiet(p: BgNbdParams, c: Rfm, h: number): number {
  const alive = pAlive(p, c);
  const quietIfAlive = Math.exp(
    (p.r + c.x) * (Math.log(p.alpha + c.T) - Math.log(p.alpha + c.T + h)),
  );
  return 1 - alive + alive * quietIfAlive;
}
