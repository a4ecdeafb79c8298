/**
 * Sends due deliveries in the background after an API action (ack, resolve), so PagerDuty and
 * the chat channels hear about it now rather than at the next scheduler pass. Failures are
 * logged; the scheduler's pass retries whatever is still queued.
 */
import { errorMessage, log } from "../lib/log.ts";
import type { Runtime } from "../lib/runtime.ts";
import { deliverDue } from "./notifier.ts";

const running = new WeakMap<object, Promise<unknown>>();

/** Starts a delivery pass unless one is already running for this runtime; returns it. */
export function deliverSoon(rt: Runtime): Promise<unknown> {
  const cur = running.get(rt.sql);
  if (cur) return cur;
  const p = deliverDue(rt).catch((e) =>
    log.warn("alert delivery pass failed", { error: errorMessage(e) })
  )
    .finally(() => running.delete(rt.sql));
  running.set(rt.sql, p);
  return p;
}

/** Waits for a background pass started by {@link deliverSoon} (tests, shutdown). */
export async function settleDeliveries(rt: Runtime): Promise<void> {
  await running.get(rt.sql);
}
