/**
 * Time: the injectable clock, and the fixed durations the code measures it in (declared once
 * here, so a bucket width or window reads the same everywhere).
 */

/** One minute in ms. */
export const MINUTE_MS = 60_000;
/** One hour in ms. */
export const HOUR_MS = 60 * MINUTE_MS;
/** One day in ms (24 h: UTC days; store-local days can be 23 or 25 h around DST changes). */
export const DAY_MS = 24 * HOUR_MS;
/** One week in ms (7 × 24 h). */
export const WEEK_MS = 7 * DAY_MS;

/** An injectable clock, so tests run with a fixed time. */
export interface Clock {
  /** Current time, epoch ms. */
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stays where it is put; `advance` moves it. */
export function fixedClock(start: number | string | Date) {
  let t = new Date(start).getTime();
  return {
    now: () => t,
    set: (to: number | string | Date) => {
      t = new Date(to).getTime();
    },
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/**
 * Waits `ms`, or less if `signal` aborts. The abort listener is removed when the wait ends, so a
 * loop that sleeps on a long-lived signal (a role's, until shutdown) does not pile them up.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
