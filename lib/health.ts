/**
 * Readiness: Redis and PostgreSQL reachable, migrations current, TimeSeries module yes/no.
 * Each check has a short deadline so a dead dependency answers "not ready" quickly instead of
 * hanging the probe; clients reconnect by themselves, so readiness recovers on its own.
 */
import type { Runtime } from "./runtime.ts";
import { migrationStatus } from "./migrate.ts";
import { hasTimeSeries } from "./redis.ts";
import { errorMessage } from "./log.ts";

/** One dependency's state. */
export interface Check {
  ok: boolean;
  latency_ms?: number;
  error?: string;
}

/** The readiness report served on /readyz. */
export interface Readiness {
  ready: boolean;
  postgres: Check & { migrations?: { applied: number; pending: string[] } };
  redis: Check & { timeseries?: boolean };
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Checks every dependency concurrently. */
export async function readiness(rt: Runtime, deadlineMs = 2000): Promise<Readiness> {
  const pg = (async () => {
    const t0 = performance.now();
    try {
      const status = await withDeadline(migrationStatus(rt.sql), deadlineMs, "PostgreSQL");
      const pending = status.pending.map((m) => `${String(m.version).padStart(4, "0")}_${m.name}`);
      return {
        ok: pending.length === 0,
        latency_ms: Math.round(performance.now() - t0),
        migrations: { applied: status.applied, pending },
        ...(pending.length
          ? { error: `migrations pending: ${pending.join(", ")}; run deno task migrate` }
          : {}),
      };
    } catch (e) {
      return { ok: false, error: `PostgreSQL unreachable: ${errorMessage(e)}` };
    }
  })();
  const redis = (async () => {
    const t0 = performance.now();
    try {
      await withDeadline(rt.redis.ping(), deadlineMs, "Redis");
      const ts = await withDeadline(hasTimeSeries(rt.redis), deadlineMs, "Redis");
      return { ok: true, latency_ms: Math.round(performance.now() - t0), timeseries: ts };
    } catch (e) {
      return { ok: false, error: `Redis unreachable: ${errorMessage(e)}` };
    }
  })();
  const [p, r] = await Promise.all([pg, redis]);
  return { ready: p.ok && r.ok, postgres: p, redis: r };
}
