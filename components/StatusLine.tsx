/** A compact line saying which services the page is connected to, linking /status. */
import type { Readiness } from "../lib/health.ts";

/** PostgreSQL and Redis state, one word each. */
export function StatusLine({ health }: { health: Readiness }) {
  const item = (name: string, ok: boolean, error?: string) => (
    <span class={ok ? "ok" : "bad"} title={error}>
      {ok ? "●" : "○"} {name} {ok ? "connected" : "down"}
    </span>
  );
  return (
    <p class="status-line" id="status-line">
      {item("PostgreSQL", health.postgres.ok, health.postgres.error)}
      {item("Redis", health.redis.ok, health.redis.error)}
      <a href="/status">status</a>
    </p>
  );
}
