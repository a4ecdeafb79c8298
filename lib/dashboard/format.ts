/**
 * Display formatting shared by server components and islands (no server imports, so esbuild
 * can bundle it): money from integer minor units, store-local times, percentages. Formatters
 * are cached because constructing Intl objects dominates render time on busy pages.
 */

import { localDate, wallClockFormatter } from "../timezone.ts";
const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

function numberFormat(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) cache.set(key, f = make());
  return f;
}

function dateFormat(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) cache.set(key, f = make());
  return f;
}

/** Minor-unit digits of a currency (JPY 0, USD 2, KWD 3). */
export function currencyDigits(currency: string): number {
  try {
    return numberFormat(
      `d:${currency}`,
      () => new Intl.NumberFormat("en", { style: "currency", currency }),
    ).resolvedOptions()
      .maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** Money from minor units: `money(123456, "USD")` → "$1,234.56". */
export function money(cents: number, currency = "USD", opts: { compact?: boolean } = {}): string {
  const digits = currencyDigits(currency);
  const value = cents / 10 ** digits;
  const key = `m:${currency}:${opts.compact ? "c" : ""}`;
  try {
    return numberFormat(key, () =>
      new Intl.NumberFormat("en", {
        style: "currency",
        currency,
        ...(opts.compact
          ? { notation: "compact", maximumFractionDigits: 1 }
          : { minimumFractionDigits: digits, maximumFractionDigits: digits }),
      })).format(value);
  } catch {
    return `${value.toFixed(digits)} ${currency}`;
  }
}

/** A count with grouping: 12345 → "12,345". */
export function count(n: number): string {
  return numberFormat("n", () => new Intl.NumberFormat("en")).format(n);
}

/** Change against a baseline as a signed percentage, or null without a baseline. */
export function change(now: number, before: number): number | null {
  if (!before) return null;
  return (now - before) / before * 100;
}

/** A signed percentage: 12.3 → "+12%", null → "–". */
export function pct(p: number | null): string {
  if (p === null || !Number.isFinite(p)) return "–";
  const r = Math.round(p);
  return `${r > 0 ? "+" : ""}${r}%`;
}

/** CSS class for a change: up (good), down (bad) or flat. */
export function trendClass(p: number | null): string {
  if (p === null) return "flat";
  return p >= 2 ? "up" : p <= -2 ? "down" : "flat";
}

/** Time of day in a time zone: "14:05". */
export function clockTime(ts: number, timezone: string, seconds = false): string {
  try {
    return dateFormat(`t:${timezone}:${seconds}`, () =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: timezone,
        hour: "2-digit",
        minute: "2-digit",
        ...(seconds ? { second: "2-digit" } : {}),
      })).format(ts);
  } catch {
    return new Date(ts).toISOString().slice(11, seconds ? 19 : 16);
  }
}

/** Date and time in a time zone: "Tue 24 Nov, 14:05" (with `seconds`, "Tue 24 Nov, 14:05:09"). */
export function dateTime(ts: number, timezone: string, seconds = false): string {
  try {
    return dateFormat(`dt:${timezone}:${seconds}`, () =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: timezone,
        weekday: "short",
        day: "numeric",
        month: "short",
        hour: "2-digit",
        minute: "2-digit",
        ...(seconds ? { second: "2-digit" } : {}),
      })).format(ts);
  } catch {
    return new Date(ts).toISOString().slice(0, seconds ? 19 : 16).replace("T", " ");
  }
}

/** A date in a time zone: "6 Nov" (with `year`, "6 Nov 2026"). */
export function shortDate(ts: number, timezone: string, year = false): string {
  return dateFormat(`d:${timezone}:${year}`, () =>
    new Intl.DateTimeFormat("en-GB", {
      timeZone: timezone,
      day: "numeric",
      month: "short",
      ...(year ? { year: "numeric" } : {}),
    })).format(ts);
}

/** An age in words: 4_000 → "4 s", 190_000 → "3 min". */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 90) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} d`;
}

/** Freshness level of data whose newest event is `ms` old: ok under 2 min, stale under 10. */
export function freshnessLevel(ms: number | null): "ok" | "warn" | "bad" {
  if (ms === null) return "bad";
  return ms < 120_000 ? "ok" : ms < 600_000 ? "warn" : "bad";
}

/** Epoch ms of local midnight of the day containing `now` in `timezone`. */
export function localMidnight(now: number, timezone: string): number {
  const wall = (ms: number) => {
    const parts = wallClockFormatter(timezone).formatToParts(ms);
    const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
    return {
      date: Date.UTC(get("year"), get("month") - 1, get("day")),
      clock: Date.UTC(
        get("year"),
        get("month") - 1,
        get("day"),
        get("hour"),
        get("minute"),
        get("second"),
      ),
    };
  };
  const w = wall(now);
  const offset = w.clock - Math.floor(now / 1000) * 1000;
  let guess = w.date - offset;
  // At a DST switch the offset at midnight differs from now's: correct once.
  const g = wall(guess);
  guess -= g.clock - g.date - (g.date === w.date ? 0 : 86_400_000);
  return guess;
}

/** Epoch ms of local midnight of calendar date `YYYY-MM-DD` in `timezone`. */
export function dateMidnight(date: string, timezone: string): number {
  return localMidnight(Date.parse(`${date}T12:00:00Z`), timezone);
}

/** The calendar date (YYYY-MM-DD) at `ms` in `timezone`. */
export function dateIn(ms: number, timezone: string): string {
  return localDate(ms, timezone);
}

/**
 * A details object in words, for tables of job runs: `{rows: 98687, churn: {promoted: true}}` →
 * "rows: 98,687 · churn (promoted: yes)". camelCase keys become words; longer text is cut at
 * `max` characters with an ellipsis.
 */
export function describeDetails(details: Record<string, unknown>, max = 240): string {
  const key = (k: string) => k.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
  const value = (v: unknown): string => {
    if (typeof v === "number") return Number.isInteger(v) ? count(v) : String(Number(v.toFixed(4)));
    if (typeof v === "boolean") return v ? "yes" : "no";
    if (v === null || v === undefined) return "–";
    if (Array.isArray(v)) return v.map(value).join(", ");
    if (typeof v === "object") return `(${pairs(v as Record<string, unknown>, ", ")})`;
    return String(v);
  };
  const pairs = (o: Record<string, unknown>, sep: string) =>
    Object.entries(o).map(([k, v]) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? `${key(k)} ${value(v)}`
        : `${key(k)}: ${value(v)}`
    ).join(sep);
  const text = pairs(details, " · ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
