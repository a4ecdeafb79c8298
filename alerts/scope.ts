/**
 * A rule's scope resolved to stores: the whole chain (empty scope), regions, or named stores.
 * Every evaluator starts from this list, so a rule never sees a store outside its scope.
 */
import type { Sql } from "../lib/db.ts";
import type { OpeningHours } from "./opening_hours.ts";

/** Scope as written in a rule. */
export interface Scope {
  regions?: string[];
  stores?: string[];
}

/** A store as evaluators need it. */
export interface ScopeStore {
  id: string;
  name: string;
  region: string | null;
  timezone: string;
  opening_hours: OpeningHours;
}

/** Stores in `scope`, ordered by id. */
export async function storesInScope(sql: Sql, scope: Scope): Promise<ScopeStore[]> {
  const regions = scope.regions?.length ? scope.regions : null;
  const stores = scope.stores?.length ? scope.stores : null;
  return await sql<ScopeStore[]>`
    select id, name, region, timezone, opening_hours from stores
    where (${regions}::text[] is null or region = any(${regions}::text[]))
      and (${stores}::text[] is null or id = any(${stores}::text[]))
    order by id`;
}

/** True when a store (with its region) falls in `scope`. */
export function inScope(scope: Scope, storeId: string, region: string | null): boolean {
  if (scope.stores?.length && !scope.stores.includes(storeId)) return false;
  if (scope.regions?.length && !(region && scope.regions.includes(region))) return false;
  return true;
}
