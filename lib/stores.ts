/**
 * Stores: the chain's shops with their IANA time zone (store-local days), currency and opening
 * hours. Validation of events needs to know which stores exist and what they trade in; workers
 * need each store's time zone. Both read {@link storeDirectory}, a small cache refreshed every
 * few seconds, so the hot path never queries PostgreSQL per event.
 */
import type { Sql } from "./db.ts";
import type { Runtime } from "./runtime.ts";
import { currencyDigits } from "./events.ts";

/** Days used as keys of `opening_hours`. */
export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** Opening hours by weekday: ["08:00", "21:00"], or null when closed. Missing days are unknown. */
export type OpeningHours = Partial<Record<typeof WEEKDAYS[number], [string, string] | null>>;

/** A store as kept in PostgreSQL. */
export interface Store {
  id: string;
  name: string;
  city: string | null;
  region: string | null;
  country: string | null;
  lat: number | null;
  lon: number | null;
  timezone: string;
  currency: string;
  opening_hours: OpeningHours | null;
}

/** What `addStore` takes: id, name and timezone are required. */
export type NewStore = Pick<Store, "id" | "name" | "timezone"> & Partial<Store>;

/** A store that cannot be saved as given; the message says how to fix it. */
export class StoreError extends Error {
  override name = "StoreError";
}

const STORE_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

/** True when `tz` is an IANA time zone this runtime knows (e.g. Europe/Paris). */
export function isTimeZone(tz: string): boolean {
  if (!tz || !/^[A-Za-z_+\-\/0-9]+$/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Checks a new store and fills defaults; throws StoreError naming the bad field. */
export function normaliseStore(s: NewStore): Store {
  if (typeof s.id !== "string" || !STORE_ID.test(s.id)) {
    throw new StoreError(
      `store id ${
        JSON.stringify(s.id)
      } is not valid: use 1-64 letters, digits, _ . or -, e.g. paris-01`,
    );
  }
  if (typeof s.name !== "string" || !s.name.trim()) {
    throw new StoreError(`store ${s.id}: name is required, e.g. --name "Paris Rivoli"`);
  }
  if (typeof s.timezone !== "string" || !isTimeZone(s.timezone)) {
    throw new StoreError(
      `store ${s.id}: time zone ${
        JSON.stringify(s.timezone)
      } is not an IANA zone; use one like Europe/Paris or America/New_York`,
    );
  }
  const currency = (s.currency ?? "USD").toUpperCase();
  if (currencyDigits(currency) === null) {
    throw new StoreError(
      `store ${s.id}: currency ${JSON.stringify(s.currency)} is not ISO 4217; use e.g. EUR`,
    );
  }
  for (const [field, v, lim] of [["lat", s.lat, 90], ["lon", s.lon, 180]] as const) {
    if (v !== undefined && v !== null && !(Number.isFinite(v) && Math.abs(v) <= lim)) {
      throw new StoreError(
        `store ${s.id}: ${field} must be a number from -${lim} to ${lim}, got ${JSON.stringify(v)}`,
      );
    }
  }
  const hours = s.opening_hours ?? null;
  if (hours !== null) checkHours(s.id, hours);
  return {
    id: s.id,
    name: s.name.trim(),
    city: s.city ?? null,
    region: s.region ?? null,
    country: s.country ?? null,
    lat: s.lat ?? null,
    lon: s.lon ?? null,
    timezone: s.timezone,
    currency,
    opening_hours: hours,
  };
}

function checkHours(id: string, hours: unknown) {
  const example = `{"mon":["08:00","21:00"],"sun":null}`;
  if (typeof hours !== "object" || hours === null || Array.isArray(hours)) {
    throw new StoreError(`store ${id}: opening hours must be an object like ${example}`);
  }
  for (const [day, span] of Object.entries(hours)) {
    if (!(WEEKDAYS as readonly string[]).includes(day)) {
      throw new StoreError(
        `store ${id}: opening hours day "${day}" is not one of ${
          WEEKDAYS.join(", ")
        }; e.g. ${example}`,
      );
    }
    if (span === null) continue;
    if (
      !Array.isArray(span) || span.length !== 2 ||
      !span.every((t) => typeof t === "string" && HHMM.test(t))
    ) {
      throw new StoreError(
        `store ${id}: opening hours for ${day} must be ["HH:MM","HH:MM"] or null, got ${
          JSON.stringify(span)
        }`,
      );
    }
  }
}

/**
 * Inserts a store. With `upsert` an existing id is updated; without, an existing id is a
 * StoreError (so a typo does not silently overwrite another store).
 */
export async function addStore(
  sql: Sql,
  input: NewStore,
  opts: { upsert?: boolean } = {},
): Promise<Store> {
  const s = normaliseStore(input);
  const row = {
    ...s,
    opening_hours: s.opening_hours === null ? null : sql.json(s.opening_hours as never),
  };
  const cols = [
    "id",
    "name",
    "city",
    "region",
    "country",
    "lat",
    "lon",
    "timezone",
    "currency",
    "opening_hours",
  ] as const;
  if (opts.upsert) {
    await sql`insert into stores ${sql(row, cols)}
      on conflict (id) do update set name = excluded.name, city = excluded.city,
        region = excluded.region, country = excluded.country, lat = excluded.lat,
        lon = excluded.lon, timezone = excluded.timezone, currency = excluded.currency,
        opening_hours = excluded.opening_hours`;
  } else {
    const inserted = await sql`insert into stores ${
      sql(row, cols)
    } on conflict (id) do nothing returning id`;
    if (inserted.length === 0) {
      throw new StoreError(
        `store ${s.id} already exists; pick another id or update it with --upsert`,
      );
    }
  }
  return s;
}

function fromRow(r: Record<string, unknown>): Store {
  return {
    id: r.id as string,
    name: r.name as string,
    city: (r.city as string | null) ?? null,
    region: (r.region as string | null) ?? null,
    country: (r.country as string | null) ?? null,
    lat: (r.lat as number | null) ?? null,
    lon: (r.lon as number | null) ?? null,
    timezone: r.timezone as string,
    currency: String(r.currency).trim(),
    opening_hours: (r.opening_hours as OpeningHours | null) ?? null,
  };
}

/** Every store, ordered by id. */
export async function listStores(sql: Sql): Promise<Store[]> {
  const rows = await sql`select id, name, city, region, country, lat, lon, timezone, currency,
    opening_hours from stores order by id`;
  return rows.map(fromRow);
}

/** One store, or null. */
export async function getStore(sql: Sql, id: string): Promise<Store | null> {
  const rows = await sql`select id, name, city, region, country, lat, lon, timezone, currency,
    opening_hours from stores where id = ${id}`;
  return rows.length ? fromRow(rows[0]) : null;
}

/** What validation and workers need to know about a store. */
export interface StoreInfo {
  currency: string;
  timezone: string;
}

/** How long a directory snapshot is served before it is re-read. */
export const DIRECTORY_TTL_MS = 3_000;

interface Cached {
  at: number;
  map: Map<string, StoreInfo>;
  loading?: Promise<Map<string, StoreInfo>>;
}
const directories = new WeakMap<object, Cached>();

/**
 * Map of store id → {currency, timezone}, cached per runtime for {@link DIRECTORY_TTL_MS}, so a
 * store added by the CLI in another process is known within a few seconds. Concurrent callers
 * share one reload. While PostgreSQL is unreachable the last snapshot is served.
 */
export async function storeDirectory(
  rt: Pick<Runtime, "sql"> & Partial<Pick<Runtime, "clock">>,
): Promise<Map<string, StoreInfo>> {
  const cached = directories.get(rt.sql);
  // The runtime clock, so tests can age the cache without waiting.
  const clock = () => rt.clock?.now() ?? Date.now();
  const now = clock();
  if (cached && now - cached.at < DIRECTORY_TTL_MS) return cached.map;
  if (cached?.loading) return cached.loading;
  const loading = (async () => {
    const rows = await rt.sql<{ id: string; currency: string; timezone: string }[]>`
      select id, currency, timezone from stores`;
    const map = new Map(
      rows.map((r) => [r.id, { currency: r.currency.trim(), timezone: r.timezone }]),
    );
    directories.set(rt.sql, { at: clock(), map });
    return map;
  })();
  directories.set(rt.sql, { at: cached?.at ?? 0, map: cached?.map ?? new Map(), loading });
  try {
    return await loading;
  } catch (e) {
    if (!cached || cached.at === 0) {
      directories.delete(rt.sql);
      throw e;
    }
    // PostgreSQL down: serve the last snapshot (ingest only needs Redis); retry in 1 s.
    directories.set(rt.sql, { at: clock() - DIRECTORY_TTL_MS + 1_000, map: cached.map });
    return cached.map;
  }
}

/** Drops the cached directory so the next call re-reads it (after adding stores in-process). */
export function invalidateStoreDirectory(rt: Pick<Runtime, "sql">): void {
  directories.delete(rt.sql);
}

/** The calendar date (YYYY-MM-DD) at epoch ms `ts` in IANA zone `timezone`. */
export { localDate } from "./timezone.ts";
