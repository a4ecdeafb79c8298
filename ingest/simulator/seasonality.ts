/**
 * When shoppers come, in the store's local time: an intraday shape with a lunch and an
 * after-work peak, a weekly pattern (Saturday busiest, Monday quietest) and the store's
 * opening hours. `expectedReceipts` is the mean receipt count of one local hour.
 */
import type { SimStore } from "./cities.ts";

/** Receipts a size-1 store takes on an average day (before weekday effects). */
export const BASE_DAILY_RECEIPTS = 500;

/** Share of the day's loyal-customer and walk-in traffic by weekday, Sunday first (mean 1). */
export const WEEKDAY_FACTOR = [0.9, 0.82, 0.86, 0.92, 0.98, 1.17, 1.35];

// Relative traffic by local hour of day (0-23) for a store that is open then.
const HOUR_SHAPE = [
  0.2,
  0.1,
  0.1,
  0.1,
  0.1,
  0.2,
  0.35,
  0.55,
  0.75,
  0.85,
  0.95,
  1.15,
  1.4,
  1.3,
  1.0,
  0.95,
  1.1,
  1.45,
  1.55,
  1.25,
  0.9,
  0.6,
  0.4,
  0.3,
];

/** Whether the store is open at local `hour` on `weekday` (0 = Sunday). */
export function isOpen(store: SimStore, weekday: number, hour: number): boolean {
  const [open, close] = store.hours[weekday];
  return hour >= open && hour < close;
}

const dayTotals = new Map<string, number>();
function shapeTotal(open: number, close: number): number {
  const key = `${open}-${close}`;
  let t = dayTotals.get(key);
  if (t === undefined) {
    t = 0;
    for (let h = open; h < close; h++) t += HOUR_SHAPE[h];
    dayTotals.set(key, t);
  }
  return t;
}

/** Share of the day's traffic falling in local `hour` on `weekday` (0 when closed). */
export function hourShare(store: SimStore, weekday: number, hour: number): number {
  if (!isOpen(store, weekday, hour)) return 0;
  const [open, close] = store.hours[weekday];
  return HOUR_SHAPE[hour] / shapeTotal(open, close);
}

/**
 * How shoppers' visits spread over time: `daily`, the store's hours with the intraday and weekly
 * shape above; `flat`, every hour of every day the same (1/24 of an average day, shop open or
 * not), so a soak or load run at a given rate gets that rate whatever the time of day.
 */
export type TrafficShape = "daily" | "flat";

/** Share of an average day's traffic in local `hour` on `weekday` (weekday factor included). */
export function trafficShare(
  store: SimStore,
  weekday: number,
  hour: number,
  shape: TrafficShape = "daily",
): number {
  return shape === "flat" ? 1 / 24 : WEEKDAY_FACTOR[weekday] * hourShare(store, weekday, hour);
}

/** Mean receipts of one local hour for `store` at traffic `scale` (1 = the default volume). */
export function expectedReceipts(
  store: SimStore,
  weekday: number,
  hour: number,
  scale = 1,
  shape: TrafficShape = "daily",
): number {
  return BASE_DAILY_RECEIPTS * store.size * scale * trafficShare(store, weekday, hour, shape);
}
