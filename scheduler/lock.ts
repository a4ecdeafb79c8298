/**
 * Redis locks for scheduled jobs: `SET key token NX PX ttl` to take, and Lua scripts that delete
 * or extend the key only while it still holds our token, so a run that outlived its TTL can never
 * release or extend a lock another scheduler has since taken.
 */
import type { Redis } from "../lib/redis.ts";

const RELEASE =
  `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
const EXTEND =
  `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;

/** A held lock. */
export interface Lock {
  key: string;
  token: string;
}

/** Takes `key` for `ttlMs` if free; returns the lock or null when someone else holds it. */
export async function acquireLock(redis: Redis, key: string, ttlMs: number): Promise<Lock | null> {
  const token = crypto.randomUUID();
  const ok = await redis.set(key, token, "PX", ttlMs, "NX");
  return ok === "OK" ? { key, token } : null;
}

/** Releases the lock if we still hold it; false when it had expired or changed hands. */
export async function releaseLock(redis: Redis, lock: Lock): Promise<boolean> {
  return (await redis.eval(RELEASE, 1, lock.key, lock.token)) === 1;
}

/** Extends the lock's TTL if we still hold it. */
export async function extendLock(redis: Redis, lock: Lock, ttlMs: number): Promise<boolean> {
  return (await redis.eval(EXTEND, 1, lock.key, lock.token, ttlMs)) === 1;
}

/**
 * Claims one scheduled tick of a job (`SET NX` with a TTL, never released): however late a
 * second scheduler's timer fires for the same tick, it finds the claim and does not run again.
 */
export async function claimTick(
  redis: Redis,
  key: string,
  ttlMs: number,
): Promise<boolean> {
  return (await redis.set(key, crypto.randomUUID(), "PX", ttlMs, "NX")) === "OK";
}
