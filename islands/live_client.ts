/**
 * The browser side of live updates: ONE EventSource per tab, shared by every island on the page
 * (esbuild puts this module in a chunk all islands import, so it is one instance). Islands
 * subscribe to update/alert events and to the connection state. EventSource reconnects by
 * itself and sends Last-Event-ID, so the server replays what was missed.
 */

/** A bucket of a live update (absolute values: replace, never add). */
export interface LiveBucket {
  resolution: "minute" | "hour" | "day";
  store_id: string;
  category: string;
  bucket: number;
  sales_cents: number;
  transactions: number;
  units: number;
  refunds: number;
  refund_cents: number;
  discount_cents: number;
}

/** A receipt on the ticker. */
export interface LiveReceipt {
  store_id: string;
  ts: number;
  total_cents: number;
  items: number;
  type: "sale" | "refund";
  transaction_id: string;
  late?: boolean;
}

/** What the workers publish after each committed batch. */
export interface LiveUpdate {
  at: number;
  buckets: LiveBucket[];
  receipts: LiveReceipt[];
}

/** Connection state shown to the user. */
export type LiveState = "connecting" | "live" | "reconnecting" | "failed";

type Listener<T> = (value: T) => void;

const updates = new Set<Listener<LiveUpdate>>();
const alerts = new Set<Listener<unknown>>();
const states = new Set<Listener<LiveState>>();
let source: EventSource | null = null;
let state: LiveState = "connecting";
let lastError = "";

function setState(s: LiveState, error = "") {
  state = s;
  lastError = error;
  for (const l of states) l(s);
}

function parse(e: MessageEvent): unknown {
  try {
    return JSON.parse(e.data);
  } catch {
    return null;
  }
}

function open() {
  if (source || typeof EventSource === "undefined") return;
  source = new EventSource("/api/v1/live");
  source.onopen = () => setState("live");
  source.onerror = () => {
    // CLOSED means the browser gave up (e.g. a non-SSE answer); CONNECTING means it retries.
    setState(
      source?.readyState === EventSource.CLOSED ? "failed" : "reconnecting",
      "the live connection dropped",
    );
  };
  source.addEventListener("update", (e) => {
    const u = parse(e as MessageEvent) as LiveUpdate | null;
    if (!u) return;
    for (const l of updates) l(u);
  });
  source.addEventListener("alert", (e) => {
    const a = parse(e as MessageEvent);
    for (const l of alerts) l(a);
  });
  source.addEventListener("failure", (e) => {
    const f = parse(e as MessageEvent) as { error?: string } | null;
    setState("reconnecting", f?.error ?? "live updates are unavailable");
  });
}

/** Calls `fn` with every pipeline update; returns the unsubscribe function. */
export function onUpdate(fn: Listener<LiveUpdate>): () => void {
  updates.add(fn);
  open();
  return () => updates.delete(fn);
}

/** Calls `fn` with every alert event. */
export function onAlert(fn: Listener<unknown>): () => void {
  alerts.add(fn);
  open();
  return () => alerts.delete(fn);
}

/** Calls `fn` now and on every connection state change. */
export function onState(fn: Listener<LiveState>): () => void {
  states.add(fn);
  fn(state);
  open();
  return () => states.delete(fn);
}

/** Why the connection is not live, for the user. */
export function liveError(): string {
  return lastError;
}
