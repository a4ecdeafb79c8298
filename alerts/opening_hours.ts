/**
 * Store opening hours (stores.opening_hours: {"mon": ["08:00", "21:00"], ..., "sun": null}) in
 * the store's own time zone. A missing or null map means "unknown": treated as always open, so
 * a silent store without hours is still noticed. Closing at or before opening means past midnight.
 */

/** Opening hours as stored. */
export type OpeningHours = Record<string, [string, string] | null> | null | undefined;

import { localFields } from "../lib/timezone.ts";

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
/** Local weekday (0 = Sunday) and minutes since local midnight of `at` in `timezone`. */
export function localTime(timezone: string, at: number): { day: number; minutes: number } {
  const f = localFields(at, timezone);
  return { day: f.weekday, minutes: f.hour * 60 + f.minute };
}

const hm = (s: string) => {
  const [h, m] = s.split(":").map(Number);
  return h * 60 + m;
};

/**
 * The open interval [openMs, closeMs) containing `at`, or null when the store is closed then.
 * Always-open stores return [-Infinity, Infinity].
 */
export function openInterval(
  hours: OpeningHours,
  timezone: string,
  at: number,
): [number, number] | null {
  if (!hours || Object.keys(hours).length === 0) return [-Infinity, Infinity];
  const { day, minutes } = localTime(timezone, at);
  const minuteStart = at - (at % 60_000);
  // Today's interval, then yesterday's if it runs past midnight.
  for (const back of [0, 1]) {
    const d = DAYS[(day - back + 7) % 7];
    const span = hours[d];
    if (!span) continue;
    const open = hm(span[0]) - back * 1440;
    let close = hm(span[1]) - back * 1440;
    if (close <= open) close += 1440;
    if (minutes >= open && minutes < close) {
      return [minuteStart - (minutes - open) * 60_000, minuteStart + (close - minutes) * 60_000];
    }
  }
  return null;
}

/** True when the store is open at every instant of [from, to]. */
export function openThroughout(
  hours: OpeningHours,
  timezone: string,
  from: number,
  to: number,
): boolean {
  const span = openInterval(hours, timezone, to);
  return span !== null && span[0] <= from;
}
