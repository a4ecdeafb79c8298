/**
 * Calendar features in store-local time: local hour and weekday of each UTC hour, and the
 * holidays and promotions configured in `model_calendar` (store_id null = every store).
 */
import type { Sql } from "../lib/db.ts";
import { localDate, localFields } from "../lib/timezone.ts";
import { DAY_MS, HOUR_MS } from "../lib/clock.ts";

/** One hour and one day in ms (lib/clock.ts), re-exported for the models that import them here. */
export { DAY_MS, HOUR_MS };

/** Local hour (0-23), weekday (0 = Monday) and date (YYYY-MM-DD) of an instant in `tz`. */
export function localParts(
  ms: number,
  tz: string,
): { hour: number; weekday: number; date: string } {
  const f = localFields(ms, tz);
  return { hour: f.hour, weekday: (f.weekday + 6) % 7, date: localDate(ms, tz) };
}

/** Local hour, weekday and date index of `count` consecutive hours from `start`, in one zone. */
export interface HourCalendar {
  hour: Uint8Array;
  weekday: Uint8Array;
  date: string[];
}

const calCache = new Map<string, HourCalendar>();

/** Calendar of `count` hours from `start` (UTC epoch ms, hour-aligned) in `tz`; cached. */
export function hourCalendar(start: number, count: number, tz: string): HourCalendar {
  const key = `${tz}|${start}|${count}`;
  const hit = calCache.get(key);
  if (hit) return hit;
  const cal: HourCalendar = {
    hour: new Uint8Array(count),
    weekday: new Uint8Array(count),
    date: new Array(count),
  };
  // Per hour, not per day: DST changes shift local hours mid-day.
  for (let i = 0; i < count; i++) {
    const p = localParts(start + i * HOUR_MS, tz);
    cal.hour[i] = p.hour;
    cal.weekday[i] = p.weekday;
    cal.date[i] = p.date;
  }
  if (calCache.size > 64) calCache.clear();
  calCache.set(key, cal);
  return cal;
}

/** Special days by store: `flags(store, date)` gives holiday/promotion for a local date. */
export interface SpecialDays {
  holiday(store: string, date: string): boolean;
  promotion(store: string, date: string): boolean;
}

/** Loads holidays and promotions from `model_calendar`. */
export async function loadSpecialDays(sql: Sql): Promise<SpecialDays> {
  const rows = await sql<{ day: string; store_id: string | null; kind: string }[]>`
    select to_char(day, 'YYYY-MM-DD') as day, store_id, kind from model_calendar`;
  const set = new Set(rows.map((r) => `${r.kind}|${r.store_id ?? "*"}|${r.day}`));
  const has = (kind: string, store: string, date: string) =>
    set.has(`${kind}|*|${date}`) || set.has(`${kind}|${store}|${date}`);
  return {
    holiday: (store, date) => has("holiday", store, date),
    promotion: (store, date) => has("promotion", store, date),
  };
}

/** No special days (tests, detect). */
export const NO_SPECIAL_DAYS: SpecialDays = { holiday: () => false, promotion: () => false };
