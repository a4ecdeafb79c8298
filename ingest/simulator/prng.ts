/**
 * A small seeded PRNG (sfc32) with the distributions the simulator needs. Streams are derived
 * from a seed and labels (`rngFor(seed, "store", 7)`), so each store's history is reproducible
 * on its own and the same seed always yields the same events.
 */

/** A seeded random source. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Poisson-distributed count with mean `lambda`. */
  poisson(lambda: number): number;
  /** Exponential with mean `mean`. */
  exp(mean: number): number;
}

/** 32-bit FNV-1a of a string, for seeding. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** An sfc32 generator seeded from four 32-bit words. */
export function sfc32(a: number, b: number, c: number, d: number): Rng {
  const next = () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // mix the seed in
  let spare: number | null = null;
  const rng: Rng = {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    chance: (p) => next() < p,
    pick: (items) => items[Math.floor(next() * items.length)],
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      const u = Math.max(next(), 1e-12), v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    poisson(lambda) {
      if (lambda <= 0) return 0;
      if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * rng.normal()));
      const limit = Math.exp(-lambda);
      let k = 0, p = next();
      while (p > limit) {
        k++;
        p *= next();
      }
      return k;
    },
    exp: (mean) => -mean * Math.log(1 - next()),
  };
  return rng;
}

/** A generator for `seed` and a label path, independent of every other label path. */
export function rngFor(seed: number, ...labels: (string | number)[]): Rng {
  const key = `${seed}|${labels.join("|")}`;
  return sfc32(hash32(key), hash32(key + "#b"), hash32(key + "#c"), seed >>> 0);
}

/** Index drawn from cumulative weights `cum` (last element = total) by binary search. */
export function drawCumulative(cum: Float64Array | number[], u: number, n = cum.length): number {
  const target = u * cum[n - 1];
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
