/** Live readiness: polls /readyz and shows whether PostgreSQL and Redis answer right now. */
import { useEffect, useState } from "preact/hooks";

interface Props {
  /** Readiness at render time, so the badge is right before hydration. */
  ready: boolean;
  /** Poll interval, ms. */
  every?: number;
}

export default function ReadinessBadge({ ready: initial, every = 5000 }: Props) {
  const [ready, setReady] = useState(initial);
  const [reason, setReason] = useState<string | null>(null);
  const [checked, setChecked] = useState<Date | null>(null);
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const res = await fetch("/readyz", { cache: "no-store" });
        const body = await res.json();
        if (stopped) return;
        setReady(body.ready);
        setReason(body.ready ? null : body.postgres?.error ?? body.redis?.error ?? "not ready");
      } catch {
        if (!stopped) {
          setReady(false);
          setReason("the web server does not answer");
        }
      }
      if (!stopped) setChecked(new Date());
    };
    const timer = setInterval(poll, every);
    poll();
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [every]);
  return (
    <p class={`badge ${ready ? "ok" : "bad"}`} data-ready={String(ready)}>
      {ready ? "● live: all services ready" : `● not ready: ${reason ?? "checking…"}`}
      {checked && <span class="muted">checked {checked.toLocaleTimeString()}</span>}
    </p>
  );
}
