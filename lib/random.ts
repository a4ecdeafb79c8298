/**
 * The seeded random source shared by the demo data, the test fixtures and the models, so a
 * given seed yields the same numbers everywhere (tests, screenshots and trained models rely on
 * that exact sequence; do not change the algorithm).
 */

/**
 * A small deterministic PRNG (mulberry32): uniform numbers in [0, 1), the same sequence for the
 * same seed.
 *
 * @example
 * const rand = rng(42);
 * rand(); // same value on every run
 */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
