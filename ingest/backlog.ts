/**
 * Backpressure for connectors: when the worker group falls behind by more than
 * TILLSTREAM_BACKLOG_LIMIT entries in any family, producers are told to retry later instead of
 * letting Redis grow without bound. The figure is cached for a moment per runtime so a burst of
 * requests costs one round of XINFO calls, not one per request.
 */
import type { Family } from "../lib/keys.ts";
import type { Runtime } from "../lib/runtime.ts";
import { backlogByFamily } from "./producer.ts";

/** How long a backlog reading is reused. */
export const BACKLOG_TTL_MS = 500;

/** Outcome of {@link checkBackpressure}. */
export interface Backpressure {
  over: boolean;
  /** The family furthest behind and its backlog. */
  family: Family;
  backlog: number;
  limit: number;
  /** Seconds a producer should wait before retrying. */
  retryAfter: number;
}

const readings = new WeakMap<object, { at: number; value: Promise<Record<Family, number>> }>();

/** Whether ingest should pause, from a reading at most {@link BACKLOG_TTL_MS} old. */
export async function checkBackpressure(rt: Runtime): Promise<Backpressure> {
  const now = Date.now();
  let r = readings.get(rt.redis);
  if (!r || now - r.at >= BACKLOG_TTL_MS) {
    r = { at: now, value: backlogByFamily(rt) };
    readings.set(rt.redis, r);
    r.value.catch(() => readings.delete(rt.redis));
  }
  const byFamily = await r.value;
  let family: Family = "sales";
  for (const f of Object.keys(byFamily) as Family[]) {
    if (byFamily[f] > byFamily[family]) family = f;
  }
  const limit = rt.config.TILLSTREAM_BACKLOG_LIMIT;
  const backlog = byFamily[family];
  // Wait longer the further behind the workers are, within 1..30 s.
  const retryAfter = Math.min(
    30,
    Math.max(1, Math.ceil((backlog - limit) / Math.max(1, limit) * 10)),
  );
  return { over: backlog > limit, family, backlog, limit, retryAfter };
}

/** Forgets the cached reading (tests, and after an operator drains a stream). */
export function resetBackpressure(rt: Runtime): void {
  readings.delete(rt.redis);
}
