/**
 * The browser side of live updates: ONE EventSource per tab, shared by every island on the page
 * (esbuild puts this module in a chunk all islands import, so it is one instance). Islands
 * subscribe to update/alert events and to the connection state. EventSource reconnects by
 * itself and sends Last-Event-ID, so the server replays what was missed.
 */

// The wire format is defined once, by the workers that publish it (type-only: erased from the
// browser bundle).
import type { LiveUpdate, TickerReceipt } from "../pipeline/live_updates.ts";
import type { BucketValue } from "../pipeline/series.ts";
export type { LiveUpdate };
/** A bucket of a live update (absolute values: replace, never add). */
export type LiveBucket = BucketValue;
/** A receipt on the ticker. */
export type LiveReceipt = TickerReceipt;

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
