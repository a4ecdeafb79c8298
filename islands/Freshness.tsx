/**
 * How fresh the figures are: the age of the newest event and the pipeline lag (commit time minus
 * the newest event time of the last batch), amber after 2 minutes and red after 10, plus the
 * state of the live connection. Ages tick every second in the browser.
 */
import { useEffect, useState } from "preact/hooks";
import { age, freshnessLevel } from "../lib/dashboard/format.ts";
import { liveError, type LiveState, onState, onUpdate } from "./live_client.ts";

interface Props {
  /** Event time of the newest receipt, or null. */
  newest_event: number | null;
  /** Entries waiting for a worker, or null when unknown. */
  backlog: number | null;
  /** Server time at render, to correct the browser clock's skew. */
  now: number;
  /** "*" or the store whose events count. */
  store_id?: string;
}

const STATE_TEXT: Record<LiveState, string> = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  failed: "live updates off",
};

export default function Freshness({ newest_event, backlog, now, store_id = "*" }: Props) {
  const [newest, setNewest] = useState(newest_event);
  const [lag, setLag] = useState<number | null>(null);
  const [state, setState] = useState<LiveState>("connecting");
  const [skew] = useState(() => typeof Date === "undefined" ? 0 : now - Date.now());
  const [tick, setTick] = useState(now);
  useEffect(() => {
    const offs = [
      onState(setState),
      onUpdate((u) => {
        const mine = (u.receipts ?? []).filter((r) => store_id === "*" || r.store_id === store_id);
        const ts = Math.max(...mine.map((r) => r.ts));
        if (Number.isFinite(ts)) {
          setNewest((n) => Math.max(n ?? 0, ts));
          setLag(Math.max(0, u.at - ts));
        }
      }),
    ];
    const t = setInterval(() => setTick(Date.now() + skew), 1000);
    return () => {
      offs.forEach((off) => off());
      clearInterval(t);
    };
  }, []);
  const ageMs = newest === null ? null : Math.max(0, tick - newest);
  const level = freshnessLevel(ageMs);
  return (
    <p class={`freshness ${level}`} id="freshness" data-level={level}>
      <span class={`dot ${state === "live" ? "ok" : state === "failed" ? "bad" : "warn"}`} />
      <span>{STATE_TEXT[state]}{state !== "live" && liveError() ? `: ${liveError()}` : ""}</span>
      <span>
        newest event {ageMs === null ? "never — no sales recorded yet" : `${age(ageMs)} ago`}
      </span>
      {lag !== null && <span>pipeline lag {lag < 1000 ? `${lag} ms` : age(lag)}</span>}
      {backlog !== null && backlog > 0 && <span>{backlog.toLocaleString("en")} waiting</span>}
    </p>
  );
}
