/**
 * What a dashboard page is about: the whole chain or one store, with the currency money is shown
 * in and the time zone hours are shown in. The chain is shown in its most common store time zone
 * (a chain usually lives in one); each store's "today" is still its own local day.
 */
import type { Sql } from "../db.ts";
import { HttpError } from "../web/errors.ts";
import type { Store } from "../stores.ts";
export { localMidnight } from "./format.ts";

/** The subject of a page. */
export interface DashScope {
  /** A store id, or "*" for the whole chain. */
  store_id: string;
  /** Stores in scope (one, or all). */
  stores: Store[];
  currency: string;
  timezone: string;
  /** Set when the chain trades in several currencies: chain totals would mix them. */
  mixedCurrencies: string[] | null;
}

function mostCommon(values: string[], fallback: string): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = fallback;
  let n = 0;
  for (const [v, c] of counts) if (c > n) [best, n] = [v, c];
  return best;
}

/** Loads every store; `storeId` narrows to one (404 when unknown). */
export async function loadDashScope(sql: Sql, storeId = "*"): Promise<DashScope> {
  const rows = await sql<Store[]>`
    select id, name, city, region, country, lat, lon, timezone, trim(currency) as currency,
      opening_hours
    from stores order by id`;
  if (storeId !== "*") {
    const store = rows.find((s) => s.id === storeId);
    if (!store) {
      throw new HttpError(
        404,
        `There is no store "${storeId}". Pick one from the stores list, or add it with ` +
          `deno task stores add --id ${storeId} --name NAME --timezone Europe/Paris`,
      );
    }
    return {
      store_id: storeId,
      stores: [store],
      currency: store.currency,
      timezone: store.timezone,
      mixedCurrencies: null,
    };
  }
  const currencies = [...new Set(rows.map((s) => s.currency))].sort();
  return {
    store_id: "*",
    stores: rows,
    currency: mostCommon(rows.map((s) => s.currency), "USD"),
    timezone: mostCommon(rows.map((s) => s.timezone), "UTC"),
    mixedCurrencies: currencies.length > 1 ? currencies : null,
  };
}

/**
 * The time zone to show times about `storeIds` in: that store's when there is exactly one, the
 * chain's otherwise (as {@link loadDashScope} picks it).
 */
export async function timezoneFor(sql: Sql, storeIds: readonly string[] | null): Promise<string> {
  if (storeIds?.length === 1) {
    const [row] = await sql<{ timezone: string }[]>`
      select timezone from stores where id = ${storeIds[0]}`;
    if (row) return row.timezone;
  }
  return (await loadDashScope(sql)).timezone;
}
