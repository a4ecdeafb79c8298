/**
 * The sales query behind GET /api/v1/sales: dense buckets of one series, from Redis when the
 * range lies within Redis's retention for the interval and Redis is known to hold the series
 * from that far back, else from the PostgreSQL rollups (the truth). Both give the same answer;
 * `pipeline/query_test.ts` checks the seam.
 *
 * "Known to hold" is the coverage mark (`keys.seriesCoverage`): set when a series is hydrated
 * from PostgreSQL (first query of it in Redis's window), kept true by the workers writing every
 * bucket they change. A Redis that lost its data loses the mark with it, so queries fall back to
 * PostgreSQL and re-hydrate instead of answering from a half-empty Redis.
 */
import type { Runtime } from "../lib/runtime.ts";
import { formatMinor } from "../lib/events.ts";
import { errorMessage, log } from "../lib/log.ts";
import {
  BUCKET_MS,
  type BucketValue,
  createSeriesStore,
  emptyBucket,
  type Resolution,
  seriesId,
  type SeriesStore,
} from "./series.ts";
import {
  dayText,
  loadScope,
  parseDay,
  parseId,
  parseInstant,
  parseInterval,
  QueryError,
  type Scope,
  today,
} from "./query_params.ts";
import { readRollups } from "./query_rollups.ts";

/** Most buckets one answer may hold. */
export const MAX_BUCKETS = 10_000;
/** Buckets returned when `from` is not given: the last hour, day or 30 days. */
export const DEFAULT_BUCKETS: Record<Resolution, number> = { minute: 60, hour: 24, day: 30 };
/** Redis's newest bucket may be a few minutes ahead of now (events up to 5 min in the future). */
const RETENTION_SLACK_MS = 10 * 60_000;
/** How long a query waits for Redis before answering from PostgreSQL instead. */
const REDIS_BUDGET_MS = 1_000;

/** One series over a range of bucket starts, both inclusive and aligned to the interval. */
export interface SalesQuery {
  interval: Resolution;
  store_id: string;
  category: string;
  from: number;
  to: number;
}

/** Where an answer came from. */
export type Source = "redis" | "postgres";

/** One bucket as the API shows it: money as decimal strings in the scope's currency. */
export interface SalesRow {
  /** ISO instant of the bucket start (UTC), or `YYYY-MM-DD` for days (store-local date). */
  bucket: string;
  sales: string;
  transactions: number;
  units: number;
  /** sales / transactions, rounded half up to the minor unit; null without transactions. */
  avg_ticket: string | null;
  refunds: number;
  refund_amount: string;
  discounts: string;
  revised: number;
}

/** Parses `from`, `to`, `interval`, `category` (store_id is parsed first: its zone sets days). */
export function parseSalesQuery(search: URLSearchParams, scope: Scope, now: number): SalesQuery {
  const interval = parseInterval(search.get("interval"));
  const category = search.has("category")
    ? parseId("category", search.get("category"), { all: true })
    : "*";
  const step = BUCKET_MS[interval];
  const align = (ms: number) => Math.floor(ms / step) * step;
  const read = (name: "from" | "to") => {
    const raw = search.get(name);
    if (raw === null || raw.trim() === "") return null;
    if (interval === "day") return parseDay(name, raw);
    const at = parseInstant(name, raw);
    // A bare date as `to` means that whole (UTC) day: from=2026-11-25&to=2026-11-25 is 24 hours.
    return name === "to" && /^\d{4}-\d{2}-\d{2}$/.test(raw.trim())
      ? at + BUCKET_MS.day - step
      : align(at);
  };
  const nowBucket = interval === "day" ? today(scope, now) : align(now);
  const fromRaw = read("from");
  const to = read("to") ?? (fromRaw === null ? nowBucket : Math.max(nowBucket, fromRaw));
  const from = fromRaw ?? to - (DEFAULT_BUCKETS[interval] - 1) * step;
  if (from > to) {
    throw new QueryError(
      400,
      `from (${show(from, interval)}) is after to (${show(to, interval)}): swap them`,
    );
  }
  const count = (to - from) / step + 1;
  if (count > MAX_BUCKETS) {
    const coarser = interval === "minute" ? "hour" : "day";
    throw new QueryError(
      400,
      `${count} ${interval} buckets requested; at most ${MAX_BUCKETS} are returned at once. ` +
        (interval === "day"
          ? "Narrow the range."
          : `Use a coarser interval (interval=${coarser}) or a narrower range.`),
    );
  }
  return { interval, store_id: scope.store_id, category, from, to };
}

function show(ms: number, interval: Resolution): string {
  return interval === "day" ? dayText(ms) : new Date(ms).toISOString();
}

/** Every bucket from `q.from` to `q.to`, zero where nothing was sold (charts stay continuous). */
export function densify(q: SalesQuery, rows: BucketValue[]): BucketValue[] {
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  const out: BucketValue[] = [];
  for (let b = q.from; b <= q.to; b += BUCKET_MS[q.interval]) {
    out.push(byBucket.get(b) ?? emptyBucket(q.interval, q.store_id, q.category, b));
  }
  return out;
}

/** True when Redis keeps this interval's buckets as far back as `q.from`. */
function withinRetention(store: SeriesStore, q: SalesQuery, now: number): boolean {
  const keep = store.retentionMs(q.interval);
  return keep === null || q.from >= now - keep + RETENTION_SLACK_MS;
}

/**
 * Copies one series' PostgreSQL rollups inside Redis's retention window into Redis (only
 * buckets Redis lacks), then marks the series covered from the window's start.
 */
export async function hydrateSeries(
  rt: Pick<Runtime, "sql" | "redis" | "keys" | "clock">,
  store: SeriesStore,
  series: Pick<SalesQuery, "interval" | "store_id" | "category">,
): Promise<number> {
  const keep = store.retentionMs(series.interval);
  const since = keep === null ? -8.64e15 : rt.clock.now() - keep;
  const rows = await readRollups(rt.sql, { ...series, from: since, to: 8.64e15 });
  for (let i = 0; i < rows.length; i += 2000) await store.fill(rows.slice(i, i + 2000));
  await rt.redis.hset(
    rt.keys.seriesCoverage,
    seriesId(series.interval, series.store_id, series.category),
    String(since),
  );
  return rows.length;
}

/**
 * Dense buckets of `q`. `source` forces one side (tests of the seam); `auto` picks Redis when
 * it covers the range, else PostgreSQL, hydrating the series into Redis for next time.
 */
export async function salesBuckets(
  rt: Pick<Runtime, "sql" | "redis" | "keys" | "clock" | "timeSeries">,
  q: SalesQuery,
  opts: { source?: Source | "auto"; store?: SeriesStore; hydrate?: boolean } = {},
): Promise<{ buckets: BucketValue[]; source: Source }> {
  const store = opts.store ?? createSeriesStore(rt);
  const source = opts.source ?? "auto";
  const fromRedis = async () => densify(q, await store.range({ ...q, resolution: q.interval }));
  if (source === "redis") return { buckets: await fromRedis(), source };
  // Redis trouble must not take the API down: PostgreSQL has the same figures. A client that
  // is not connected would queue commands until Redis returns, so it is not asked at all.
  if (
    source === "auto" && rt.redis.status === "ready" &&
    withinRetention(store, q, rt.clock.now())
  ) {
    const attempt = (async () => {
      const id = seriesId(q.interval, q.store_id, q.category);
      const since = await rt.redis.hget(rt.keys.seriesCoverage, id);
      if (since !== null && q.from >= Number(since)) return await fromRedis();
      if (opts.hydrate !== false) await hydrateSeries(rt, store, q);
      return null;
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), REDIS_BUDGET_MS);
    });
    try {
      const got = await Promise.race([attempt, timeout]);
      if (got === "timeout") {
        attempt.catch(() => {}); // finishes (or fails) on its own; the answer comes from PostgreSQL
        log.warn("sales query: Redis too slow, answering from PostgreSQL", { ms: REDIS_BUDGET_MS });
      } else if (got) return { buckets: got, source: "redis" };
    } catch (e) {
      log.warn("sales query: Redis failed, answering from PostgreSQL", { error: errorMessage(e) });
    } finally {
      clearTimeout(timer);
    }
  }
  return { buckets: densify(q, await readRollups(rt.sql, q)), source: "postgres" };
}

/** One bucket in API form. */
export function toSalesRow(b: BucketValue, digits: number): SalesRow {
  const t = b.transactions;
  // Integer half-up rounding of sales / transactions: no float noise in money.
  const avg = t > 0 ? Math.floor((2 * b.sales_cents + t) / (2 * t)) : null;
  return {
    bucket: b.resolution === "day"
      ? dayText(b.bucket)
      : new Date(b.bucket).toISOString().replace(".000Z", "Z"),
    sales: formatMinor(b.sales_cents, digits),
    transactions: t,
    units: b.units,
    avg_ticket: avg === null ? null : formatMinor(avg, digits),
    refunds: b.refunds,
    refund_amount: formatMinor(b.refund_cents, digits),
    discounts: formatMinor(b.discount_cents, digits),
    revised: b.revised,
  };
}

/** GET /api/v1/sales without HTTP: parses, picks the source, formats. Throws QueryError. */
export async function querySales(
  rt: Pick<Runtime, "sql" | "redis" | "keys" | "clock" | "timeSeries">,
  search: URLSearchParams,
  opts: { source?: Source | "auto"; store?: SeriesStore; hydrate?: boolean } = {},
): Promise<{ rows: SalesRow[]; source: Source; currency: string; query: SalesQuery }> {
  const storeId = search.has("store_id")
    ? parseId("store_id", search.get("store_id"), { all: true })
    : "*";
  const scope = await loadScope(rt, storeId);
  const query = parseSalesQuery(search, scope, rt.clock.now());
  const { buckets, source } = await salesBuckets(rt, query, opts);
  return {
    rows: buckets.map((b) => toSalesRow(b, scope.digits)),
    source,
    currency: scope.currency,
    query,
  };
}

export { QueryError };
