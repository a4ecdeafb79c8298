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
