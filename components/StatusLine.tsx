/** A compact line saying which services the page is connected to, linking /status. */
import type { Readiness } from "../lib/health.ts";

/** One service: connected, slow (no answer within the probe's deadline) or down. */
function state(ok: boolean, error?: string): { cls: string; text: string } {
  if (ok) return { cls: "ok", text: "connected" };
  // The page's own queries may have just succeeded: a missed deadline is slowness, not an outage.
  if (error && /did not answer within/.test(error)) return { cls: "warn", text: "slow" };
  return { cls: "bad", text: "down" };
}

/** PostgreSQL and Redis state, one word each. */
export function StatusLine({ health }: { health: Readiness }) {
  const item = (name: string, ok: boolean, error?: string) => {
    const s = state(ok, error);
    return (
      <span class={s.cls} title={error}>
        {ok ? "●" : "○"} {name} {s.text}
      </span>
    );
  };
  return (
    <p class="status-line" id="status-line">
      {item("PostgreSQL", health.postgres.ok, health.postgres.error)}
      {item("Redis", health.redis.ok, health.redis.error)}
      <a href="/status">status</a>
    </p>
  );
}
