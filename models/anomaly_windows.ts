/**
 * The time windows the periodic anomaly checks judge: which closed windows a run looks at, how
 * rows fall into windows, and a memo for the 7-day baselines the checks compare them with.
 */
import { HOUR_MS, MINUTE_MS } from "../lib/clock.ts";

/** The register and price checks' window: short enough to catch a burst while it lasts. */
export const QUARTER_HOUR_MS = 15 * MINUTE_MS;

/**
 * The last `count` whole windows of `windowMs` that closed before `now - graceMs`, as [from, to).
 * The grace (default 2 minutes) lets receipts still in the pipeline land before their window is
 * first judged.
 */
export function closedWindows(
  now: number,
  windowMs: number,
  count: number,
  graceMs = 2 * MINUTE_MS,
): { from: number; to: number } {
  const to = Math.floor((now - graceMs) / windowMs) * windowMs;
  return { from: to - count * windowMs, to };
}

/** Rows of one store, one `by` value and one window. */
export interface WindowGroup<R> {
  store: string;
  key: string;
  windowStart: number;
  rows: R[];
}

/**
 * Groups rows by store, `by(row)` (a register, a SKU) and the window of `windowMs` their `ts`
 * falls in; groups and the rows within them keep the order the rows came in.
 */
export function groupByWindow<R extends { store_id: string; ts: Date }>(
  rows: R[],
  by: (r: R) => string,
  windowMs = QUARTER_HOUR_MS,
): WindowGroup<R>[] {
  const groups = new Map<string, WindowGroup<R>>();
  for (const r of rows) {
    const windowStart = Math.floor(new Date(r.ts).getTime() / windowMs) * windowMs;
    const key = by(r);
    const k = `${r.store_id}\u0000${key}\u0000${windowStart}`;
    let g = groups.get(k);
    if (!g) groups.set(k, g = { store: r.store_id, key, windowStart, rows: [] });
    g.rows.push(r);
  }
  return [...groups.values()];
}

/**
 * A memo holding one value per database (`cacheKey`) while `until` stays within one hour. The
 * checks run every minute but their baselines span 7 days, which an hour more or less does not
 * move, so reloading them each run would only cost time. Without a key (replays, tests) every
 * call loads afresh.
 */
export function hourlyMemo<T>(): (
  cacheKey: string | undefined,
  until: number,
  load: () => Promise<T>,
) => Promise<T> {
  const memo = new Map<string, { at: number; value: T }>();
  return async (cacheKey, until, load) => {
    const hour = Math.floor(until / HOUR_MS);
    const hit = cacheKey ? memo.get(cacheKey) : undefined;
    if (hit && hit.at === hour) return hit.value;
    const value = await load();
    if (cacheKey) memo.set(cacheKey, { at: hour, value });
    return value;
  };
}
