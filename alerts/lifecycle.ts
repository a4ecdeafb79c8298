/**
 * The alert state machine, as a pure function of (rule, open alert, observation, now):
 *
 *   (none) --active--> pending --active for `for_s`--> firing --ack--> acknowledged
 *   firing/acknowledged --clear for `resolve.after_s`--> resolved
 *
 * Flapping is damped three ways: `for_s` (a condition must hold before it fires), a minimum
 * clear duration before resolving (a condition that returns while clearing keeps the same alert
 * and counts a flap), and, once an alert has flapped 3 times, a clear duration three times as
 * long. A pending alert whose condition clears is dropped: it never notified anyone.
 */
import type { Observation } from "./observation.ts";
import { resolveAfterS, type Rule } from "./rules.ts";

/** The lifecycle fields of an open alert. */
export interface AlertState {
  state: "pending" | "firing" | "acknowledged";
  startedAt: number;
  clearSince: number | null;
  flapCount: number;
}

/** Flaps after which an alert needs a longer clear period to resolve. */
export const FLAP_LIMIT = 3;

/** What to do with one rule x scope key. */
export type Decision =
  | { do: "none" }
  | { do: "create"; state: "pending" | "firing" }
  | { do: "drop" }
  | {
    do: "update";
    state: AlertState["state"];
    clearSince: number | null;
    flapCount: number;
    /** The alert fired in this step (pending -> firing). */
    fired: boolean;
    flapped: boolean;
  }
  | { do: "resolve" };

/** Decides the next state of `alert` (null: none open) given `obs` (null: nothing observed). */
export function decide(
  rule: Pick<Rule, "for_s" | "interval_s" | "resolve">,
  alert: AlertState | null,
  obs: Pick<Observation, "active" | "clear"> | null,
  now: number,
): Decision {
  const active = obs?.active ?? false;
  // A key the evaluator no longer reports (store left the scope, flag expired) counts as clear.
  const clear = obs ? obs.clear : true;
  if (!alert) {
    if (!active) return { do: "none" };
    return { do: "create", state: rule.for_s === 0 ? "firing" : "pending" };
  }
  if (alert.state === "pending") {
    if (active) {
      const due = now - alert.startedAt >= rule.for_s * 1000;
      return due
        ? {
          do: "update",
          state: "firing",
          clearSince: null,
          flapCount: alert.flapCount,
          fired: true,
          flapped: false,
        }
        : { do: "none" };
    }
    return clear ? { do: "drop" } : { do: "none" };
  }
  if (active) {
    const flapped = alert.clearSince !== null;
    if (!flapped) return { do: "none" };
    return {
      do: "update",
      state: alert.state,
      clearSince: null,
      flapCount: alert.flapCount + 1,
      fired: false,
      flapped: true,
    };
  }
  if (!clear) return { do: "none" };
  const since = alert.clearSince ?? now;
  const needS = resolveAfterS(rule as Rule) * (alert.flapCount >= FLAP_LIMIT ? 3 : 1);
  if (now - since >= needS * 1000) return { do: "resolve" };
  if (alert.clearSince !== null) return { do: "none" };
  return {
    do: "update",
    state: alert.state,
    clearSince: since,
    flapCount: alert.flapCount,
    fired: false,
    flapped: false,
  };
}
