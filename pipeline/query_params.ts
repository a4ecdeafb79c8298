/**
 * Parameters of the query API (/api/v1/sales, /top-products, /inventory): parsing with errors a
 * caller can act on, and the store scope (currency, time zone) a query is answered in.
 */
import { currencyDigits } from "../lib/events.ts";
import { localDate } from "../lib/timezone.ts";
import { invalidateStoreDirectory, storeDirectory } from "../lib/stores.ts";
import type { Runtime } from "../lib/runtime.ts";
import type { Resolution } from "./series.ts";

/** A bad request: `status` for the HTTP answer, message for the caller (never internals). */
export class QueryError extends Error {
  override name = "QueryError";
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const ID = /^[A-Za-z0-9_.:\/#-]{1,64}$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Epoch ms of `YYYY-MM-DD` at 00:00 UTC, or NaN when it is not a real calendar date. */
export function dateMs(text: string): number {
  const m = DATE.exec(text);
  if (!m) return NaN;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d
    ? ms
    : NaN;
}

/** `YYYY-MM-DD` of a day bucket (epoch ms of its UTC midnight). */
export function dayText(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The calendar date `at` falls on in `timeZone`, as day-bucket epoch ms. */
export function localDay(at: number, timeZone: string): number {
  return dateMs(localDate(at, timeZone));
}

/**
 * An instant: ISO-8601 with `Z` or an offset, or a bare date (00:00 UTC). A `+` offset sent
 * unescaped in a URL arrives as a space; it is read as `+`.
 */
export function parseInstant(name: string, raw: string): number {
  const text = raw.trim().replace(/ (\d{2}:?\d{2})$/, "+$1");
  if (DATE.test(text)) {
    const ms = dateMs(text);
    if (!Number.isNaN(ms)) return ms;
  }
  const m = INSTANT.exec(text);
  if (m && !Number.isNaN(dateMs(m[1])) && Number(m[2]) < 24 && Number(m[3]) < 60) {
    const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
    if (!Number.isNaN(ms)) return ms;
  }
  throw new QueryError(
    400,
    `${name}=${JSON.stringify(raw)} is not a date or time: use ISO-8601 with a time zone, ` +
      `e.g. ${name}=2026-11-25T14:00:00Z or ${name}=2026-11-25T15:00:00%2B01:00, or a date ` +
      `such as ${name}=2026-11-25`,
  );
}

/**
 * A calendar date for day-resolution queries: `YYYY-MM-DD`, or an ISO timestamp whose date is
 * taken as written (its own offset's local date).
 */
export function parseDay(name: string, raw: string): number {
  const text = raw.trim();
  const ms = dateMs(text.slice(0, 10));
  if (!Number.isNaN(ms) && (text.length === 10 || text[10] === "T")) {
    if (text.length > 10) parseInstant(name, text); // reject malformed times too
    return ms;
  }
  throw new QueryError(
    400,
    `${name}=${JSON.stringify(raw)} is not a date: use YYYY-MM-DD, e.g. ${name}=2026-11-25`,
  );
}

/** `minute`, `hour` or `day`; default `hour`. */
export function parseInterval(raw: string | null): Resolution {
  const v = raw ?? "hour";
  if (v === "minute" || v === "hour" || v === "day") return v;
  throw new QueryError(
    400,
    `interval=${JSON.stringify(raw)} is not supported: use minute, hour or day, e.g. interval=hour`,
  );
}

/** A store id, category or SKU; `'*'` allowed where `all` is true. */
export function parseId(name: string, raw: string | null, opts: { all?: boolean } = {}): string {
  const v = (raw ?? "").trim();
  if ((opts.all && v === "*") || ID.test(v)) return v;
  throw new QueryError(
    400,
    `${name}=${JSON.stringify(raw ?? "")} is not valid: use 1-64 letters, digits or _ . : / # -` +
      `${opts.all ? " (or * for all)" : ""}, e.g. ${name}=${name === "sku" ? "SKU-1001" : "S001"}`,
  );
}

/** A positive whole number up to `max`, default `def`. */
export function parseLimit(raw: string | null, def: number, max: number): number {
  if (raw === null || raw === "") return def;
  if (/^\d+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= max) return Number(raw);
  throw new QueryError(
    400,
    `limit=${JSON.stringify(raw)} is not valid: use a whole number from 1 to ${max}, e.g. limit=10`,
  );
}

/** What a query's money and days are expressed in. */
export interface Scope {
  /** Store id, or `'*'` for the chain. */
  store_id: string;
  currency: string;
  /** Minor-unit digits of the currency (2 for USD, 0 for JPY). */
  digits: number;
  /** IANA zones of the store, or of every store for the chain (a chain day sums local days). */
  timezones: string[];
}

/** Today's date for the scope: the store's local date; for the chain, the latest local date. */
export function today(scope: Scope, now: number): number {
  const days = scope.timezones.map((tz) => localDay(now, tz));
  return days.length ? Math.max(...days) : localDay(now, "UTC");
}

/**
 * The scope of a store (404 when unknown) or of the chain (`'*'`): the chain's figures are in
 * the stores' common currency; a chain with several currencies must be queried per store.
 */
export async function loadScope(
  rt: Pick<Runtime, "sql"> & Partial<Pick<Runtime, "clock">>,
  storeId: string,
): Promise<Scope> {
  // The cached store directory keeps PostgreSQL off every query's path; a store it does not
  // know yet (added in the last few seconds elsewhere) is looked up before answering 404.
  let stores = await storeDirectory(rt);
  if (storeId !== "*" && !stores.has(storeId)) {
    invalidateStoreDirectory(rt);
    stores = await storeDirectory(rt);
  }
  if (storeId !== "*") {
    const row = stores.get(storeId);
    if (!row) {
      throw new QueryError(
        404,
        `store_id=${storeId} is not a known store; list stores in the dashboard, or use ` +
          `store_id=* for the whole chain`,
      );
    }
    return {
      store_id: storeId,
      currency: row.currency,
      digits: currencyDigits(row.currency) ?? 2,
      timezones: [row.timezone],
    };
  }
  const zonesByCurrency = new Map<string, Set<string>>();
  for (const s of stores.values()) {
    const zones = zonesByCurrency.get(s.currency) ?? new Set<string>();
    zonesByCurrency.set(s.currency, zones.add(s.timezone));
  }
  const currencies = [...zonesByCurrency.keys()].sort();
  if (currencies.length > 1) {
    throw new QueryError(
      400,
      `chain-wide figures would mix currencies (${currencies.join(", ")}); ` +
        `query one store at a time, e.g. store_id=S001`,
    );
  }
  const currency = currencies[0] ?? "USD";
  return {
    store_id: "*",
    currency,
    digits: currencyDigits(currency) ?? 2,
    timezones: [...(zonesByCurrency.get(currency) ?? [])].sort(),
  };
}
