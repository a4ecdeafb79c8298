/**
 * The Redis aggregate store: absolute rollup values per (resolution, store, category, bucket),
 * written by the workers after each PostgreSQL commit and read by the query API.
 *
 * Two implementations share this contract (pipeline/series_contract_test.ts checks both):
 * RedisTimeSeries where the server has the module (`series_ts.ts`) and core Redis hashes and
 * sorted sets where it does not (`series_core.ts`). Values are absolute, never increments, so a
 * replayed batch rewrites the same numbers instead of double counting; a rewrite keeps the
 * per-counter maximum, so writes from two workers arriving out of order still end on the
 * newest values (every counter only grows).
 */
import type { Runtime } from "../lib/runtime.ts";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "../lib/clock.ts";
import { createCoreSeriesStore } from "./series_core.ts";
import { createTsSeriesStore } from "./series_ts.ts";

/** Bucket width of a series. */
export type Resolution = "minute" | "hour" | "day";

/** Every resolution, finest first. */
export const RESOLUTIONS: readonly Resolution[] = ["minute", "hour", "day"];

/**
 * Most buckets one write command carries (a script call on core Redis, a TS.MADD). Bounds the
 * command's arguments, which are spread into a JavaScript call whose stack holds ~120,000, and how
 * long one command keeps Redis busy; a backlog of old receipts can give one store tens of
 * thousands of buckets in a batch.
 */
export const BUCKETS_PER_CALL = 4_096;

/** The counters kept per bucket, in their stored order (both implementations rely on it). */
export const METRICS = [
  "sales_cents",
  "transactions",
  "units",
  "refunds",
  "refund_cents",
  "discount_cents",
  "revised",
] as const;

/** One counter of a bucket. */
export type Metric = typeof METRICS[number];

/** Every counter of a bucket. */
export type Counters = Record<Metric, number>;

/** Counters all zero: an empty bucket, or the start of a sum. */
export function zeroCounters(): Counters {
  return {
    sales_cents: 0,
    transactions: 0,
    units: 0,
    refunds: 0,
    refund_cents: 0,
    discount_cents: 0,
    revised: 0,
  };
}

/** Counters without `revised`: what a sum over receipts gives (dashboard totals, test sums). */
export type Totals = Omit<Counters, "revised">;

/** Totals all zero. */
export function zeroTotals(): Totals {
  const { revised: _, ...zero } = zeroCounters();
  return zero;
}

/** Adds `b` into `a`. */
export function addTotals<T extends Totals>(a: T, b: Totals): T {
  a.sales_cents += b.sales_cents;
  a.transactions += b.transactions;
  a.units += b.units;
  a.refunds += b.refunds;
  a.refund_cents += b.refund_cents;
  a.discount_cents += b.discount_cents;
  return a;
}

/** The absolute values of one bucket of one series. */
export interface BucketValue {
  resolution: Resolution;
  /** Store id, or `'*'` for the whole chain. */
  store_id: string;
  /** Category, or `'*'` for all categories. */
  category: string;
  /**
   * Epoch ms of the bucket start. For `day`: `Date.UTC(y, m, d)` of the store-local date (the
   * chain-wide row sums each store's own local day, as `rollup_day` does).
   */
  bucket: number;
  sales_cents: number;
  transactions: number;
  units: number;
  refunds: number;
  refund_cents: number;
  discount_cents: number;
  /** Late events that changed this bucket after its watermark passed. */
  revised: number;
}

/** A range read of one series; `from` and `to` are bucket starts, both inclusive. */
export interface RangeQuery {
  resolution: Resolution;
  store_id: string;
  category: string;
  from: number;
  to: number;
}

/** Absolute bucket values in Redis, for live reads of recent ranges. */
export interface SeriesStore {
  /** Which implementation serves this store. */
  readonly kind: "timeseries" | "core";
  /**
   * Stores absolute values; a write of a bucket already stored keeps, per counter, the larger
   * of the two (every counter only grows: replays repair, never double count, and a write
   * delayed behind a newer one — two workers committing the same bucket — never takes the
   * bucket back). Buckets older than the series' newest bucket minus the retention of
   * their resolution are dropped, as RedisTimeSeries does.
   */
  write(values: BucketValue[]): Promise<void>;
  /**
   * Stores only the buckets not present yet: hydration from PostgreSQL uses it, so it never
   * overwrites a newer value a worker wrote meanwhile. Same retention rule as `write`.
   */
  fill(values: BucketValue[]): Promise<void>;
  /** Buckets of one series with `from <= bucket <= to`, ascending; only buckets ever written. */
  range(q: RangeQuery): Promise<BucketValue[]>;
  /** How long a resolution's buckets are kept, in ms (relative to the newest); null = forever. */
  retentionMs(resolution: Resolution): number | null;
}

/** Retention per resolution: 1-minute 48 h, 1-hour 90 days, days kept forever. */
export const RETENTION_MS: Record<Resolution, number | null> = {
  minute: 48 * HOUR_MS,
  hour: 90 * DAY_MS,
  day: null,
};

/** Bucket width in ms (days are calendar days of the store's local date, 24 h in UTC terms). */
export const BUCKET_MS: Record<Resolution, number> = {
  minute: MINUTE_MS,
  hour: HOUR_MS,
  day: DAY_MS,
};

/**
 * Identity of one series as used inside key names. Ids match `[A-Za-z0-9_.:/#-]` (see
 * lib/events.ts), so `|` cannot occur in them and the name is unambiguous.
 */
export function seriesId(resolution: Resolution, storeId: string, category: string): string {
  return `${resolution}|${storeId}|${category}`;
}

/** A bucket with every counter zero (dense query answers use it for empty buckets). */
export function emptyBucket(
  resolution: Resolution,
  store_id: string,
  category: string,
  bucket: number,
): BucketValue {
  return { resolution, store_id, category, bucket, ...zeroCounters() };
}

/** The series store for this runtime: RedisTimeSeries when the server has it, else core Redis. */
export function createSeriesStore(rt: Pick<Runtime, "redis" | "keys" | "timeSeries">): SeriesStore {
  return rt.timeSeries ? createTsSeriesStore(rt) : createCoreSeriesStore(rt);
}
