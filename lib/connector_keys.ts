/**
 * Connector keys: the bearer secrets POS connectors send to `POST /api/v1/events`.
 *
 * A key is `tsk_` + 32 random bytes (base64url); only its SHA-256 is stored, so a database dump
 * does not leak working keys. A key may be limited to some stores. Verification is cached per
 * process for {@link KEY_CACHE_TTL_MS} so ingest does not query PostgreSQL per request, which
 * bounds how long a revoked key keeps working.
 */
import type { Sql } from "./db.ts";
import type { Runtime } from "./runtime.ts";

/** Prefix of every connector key, so a leaked one is recognisable in logs and scanners. */
export const KEY_PREFIX = "tsk_";
/** How long a verification result is reused; revocation takes effect within this. */
export const KEY_CACHE_TTL_MS = 2_000;

/** A stored key, without its secret. */
export interface ConnectorKey {
  id: string;
  name: string;
  /** Stores the key may write; null means every store. */
  stores: string[] | null;
  created_at: Date;
  revoked_at: Date | null;
}

/** A key as verification returns it. */
export interface VerifiedKey {
  id: string;
  name: string;
  stores: ReadonlySet<string> | null;
}

/** A bad request to create or revoke a key; the message says how to fix it. */
export class KeyError extends Error {
  override name = "KeyError";
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(
    /=+$/,
    "",
  );
}

/** Hex SHA-256 of a key, as stored in `connector_keys.key_hash`. */
export async function hashKey(key: string): Promise<string> {
  const buf = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}

const STORE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Creates a key named `name`, optionally limited to `stores`, and returns its secret: the only
 * time it is ever visible.
 */
export async function createKey(
  sql: Sql,
  opts: { name: string; stores?: string[] },
): Promise<{ id: string; key: string; name: string; stores: string[] | null }> {
  const name = opts.name?.trim();
  if (!name) throw new KeyError(`a key needs a name, e.g. --name "paris-pos"`);
  if (name.length > 100) throw new KeyError("key name must be at most 100 characters");
  const stores = opts.stores?.length ? [...new Set(opts.stores)] : null;
  for (const s of stores ?? []) {
    if (!STORE_ID.test(s)) {
      throw new KeyError(`store id ${JSON.stringify(s)} is not valid; e.g. --store paris-01`);
    }
  }
  const id = "ck_" + base64url(crypto.getRandomValues(new Uint8Array(6)));
  const key = KEY_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
  await sql`insert into connector_keys (id, name, key_hash, stores)
            values (${id}, ${name}, ${await hashKey(key)}, ${stores})`;
  return { id, key, name, stores };
}

/** Every key, newest first, revoked ones included. */
export async function listKeys(sql: Sql): Promise<ConnectorKey[]> {
  return await sql<ConnectorKey[]>`select id, name, stores, created_at, revoked_at
    from connector_keys order by created_at desc, id`;
}

/**
 * Revokes key `id`. Returns false when it was already revoked; throws KeyError when no such key
 * exists. Processes that cached it stop accepting it within {@link KEY_CACHE_TTL_MS}.
 */
export async function revokeKey(sql: Sql, id: string): Promise<boolean> {
  const rows = await sql<{ was: Date | null }[]>`
    update connector_keys k set revoked_at = coalesce(k.revoked_at, now())
    from (select id, revoked_at as was from connector_keys where id = ${id} for update) old
    where k.id = old.id returning old.was`;
  if (!rows.length) {
    throw new KeyError(`no connector key with id ${JSON.stringify(id)}; see: deno task keys list`);
  }
  return rows[0].was === null;
}

interface CacheEntry {
  at: number;
  key: VerifiedKey | null;
}
const caches = new WeakMap<object, Map<string, CacheEntry>>();
/** Bound on cached verifications, so random bad tokens cannot grow memory. */
const CACHE_MAX = 10_000;

/**
 * Checks a bearer token; returns the key or null when it is unknown or revoked. Results
 * (including misses) are cached briefly per runtime; while PostgreSQL is unreachable the last
 * known answer is served. Throws only when PostgreSQL is down and the token was never seen.
 */
export async function verifyKey(
  rt: Pick<Runtime, "sql"> & Partial<Pick<Runtime, "clock">>,
  token: string,
): Promise<VerifiedKey | null> {
  if (!token.startsWith(KEY_PREFIX) || token.length > 200) return null;
  const hash = await hashKey(token);
  let cache = caches.get(rt.sql);
  if (!cache) caches.set(rt.sql, cache = new Map());
  // The runtime clock, so tests can age the cache without waiting.
  const now = rt.clock?.now() ?? Date.now();
  const hit = cache.get(hash);
  if (hit && now - hit.at < KEY_CACHE_TTL_MS) return hit.key;
  let rows;
  try {
    rows = await rt.sql<{ id: string; name: string; stores: string[] | null }[]>`
      select id, name, stores from connector_keys where key_hash = ${hash} and revoked_at is null`;
  } catch (e) {
    // PostgreSQL down: keep serving what was known (ingest only needs Redis), retry in 1 s.
    if (!hit) throw e;
    hit.at = now - KEY_CACHE_TTL_MS + 1_000;
    return hit.key;
  }
  const key = rows.length
    ? {
      id: rows[0].id,
      name: rows[0].name,
      stores: rows[0].stores ? new Set(rows[0].stores) : null,
    }
    : null;
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(hash, { at: now, key });
  return key;
}

/** True when `key` may write events of `storeId` (events without a store are always allowed). */
export function mayWrite(key: VerifiedKey, storeId: string | undefined): boolean {
  return storeId === undefined || key.stores === null || key.stores.has(storeId);
}
