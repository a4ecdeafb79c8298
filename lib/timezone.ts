/**
 * Store-local time: wall-clock time in an IANA zone to an instant and back, local dates, hours
 * and weekdays, with DST handled by the platform's time-zone database (Intl). One module for
 * the pipeline (local days), the dashboard, the models' calendar features, alert opening hours
 * and the CSV importer (timestamps without an offset, read in a known zone).
 *
 * Offsets are cached per zone and 15-minute slot, so the hot paths (a local date per receipt)
 * cost one Map lookup instead of an Intl.formatToParts call.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, Map<number, number>>();

/**
 * The cached formatter of wall-clock time in `tz` (24-hour year, month, day, hour, minute,
 * second), for `formatToParts`. Throws a RangeError for a zone the platform does not know.
 */
export function wallClockFormatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** True when `tz` is a time zone the platform knows, e.g. "Europe/London". */
export function isTimeZone(tz: string): boolean {
  try {
    wallClockFormatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `tz` from UTC at instant `ms`, in minutes (e.g. 60 for London in summer). */
export function zoneOffsetMinutes(ms: number, tz: string): number {
  // Offsets only change on whole quarter hours in practice; cache per zone and 15-minute slot.
  const slot = Math.floor(ms / 900_000);
  let cache = offsetCache.get(tz);
  if (!cache) offsetCache.set(tz, cache = new Map());
  const hit = cache.get(slot);
  if (hit !== undefined) return hit;
  const p: Record<string, number> = {};
  for (const part of wallClockFormatter(tz).formatToParts(new Date(slot * 900_000))) {
    if (part.type !== "literal") p[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const off = Math.round((asUtc - slot * 900_000) / 60_000);
  if (cache.size > 100_000) cache.clear();
  cache.set(slot, off);
  return off;
}

/** Wall-clock fields of a local time. */
export interface LocalFields {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * The instant (epoch ms) when clocks in `tz` show `f`. In a DST gap the later offset applies;
 * in an overlap the earlier instant wins (the first time the clock shows it).
 */
export function localToInstant(f: LocalFields, tz: string): number {
  const naive = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  const before = naive - zoneOffsetMinutes(naive - 86_400_000, tz) * 60_000;
  const after = naive - zoneOffsetMinutes(naive + 86_400_000, tz) * 60_000;
  const valid = (t: number) => zoneOffsetMinutes(t, tz) * 60_000 === naive - t;
  const vb = valid(before), va = valid(after);
  if (vb && va) return Math.min(before, after);
  if (va) return after;
  // Valid with the earlier offset, or a wall time skipped by a DST gap: reading it with the
  // offset in force before the gap lands just after the jump, as a POS clock would.
  return before;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** ISO-8601 of instant `ms` as the wall clock in `tz` shows it, with the offset: 2009-12-01T07:45:00+00:00. */
export function isoInZone(ms: number, tz: string): string {
  const off = zoneOffsetMinutes(ms, tz);
  const d = new Date(ms + off * 60_000);
  const sign = off < 0 ? "-" : "+";
  const a = Math.abs(off);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${
    pad(d.getUTCHours())
  }:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${sign}${pad(Math.floor(a / 60))}:${
    pad(a % 60)
  }`;
}

/** Local wall-clock fields and weekday (0 = Sunday) of instant `ms` in `tz`. */
export function localFields(ms: number, tz: string): LocalFields & { weekday: number } {
  const d = new Date(ms + zoneOffsetMinutes(ms, tz) * 60_000);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    weekday: d.getUTCDay(),
  };
}

/** The calendar date (YYYY-MM-DD) at instant `ms` in `tz`. */
export function localDate(ms: number, tz: string): string {
  const d = new Date(ms + zoneOffsetMinutes(ms, tz) * 60_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}
