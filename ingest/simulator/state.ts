/**
 * The simulator role's phase, kept in Redis with a short expiry so the dashboard can say
 * "backfilling history: 205 of 673 hours" instead of "no data" while a fresh install fills up.
 * No key (expired) means no simulator is running.
 */
import type { Runtime } from "../../lib/runtime.ts";

/** What the simulator is doing. */
export interface SimulatorState {
  phase: "backfill" | "live";
  /** Backfill: hours sent and to send. */
  done?: number;
  total?: number;
  /** Live: mean receipts per second. */
  rate?: number;
  at: number;
}

/** Seconds a published state stays valid; the role refreshes it well within that. */
const TTL_S = 90;

/** Records the simulator's phase. */
export async function publishSimulatorState(rt: Runtime, state: Omit<SimulatorState, "at">) {
  const value: SimulatorState = { ...state, at: rt.clock.now() };
  await rt.redis.set(rt.keys.simulatorState, JSON.stringify(value), "EX", TTL_S);
}

/** The simulator's phase, or null when none is running. Never throws. */
export async function readSimulatorState(rt: Runtime): Promise<SimulatorState | null> {
  try {
    const raw = await rt.redis.get(rt.keys.simulatorState);
    return raw ? JSON.parse(raw) as SimulatorState : null;
  } catch {
    return null;
  }
}

/** Forgets the state (shutdown). */
export async function clearSimulatorState(rt: Runtime) {
  await rt.redis.del(rt.keys.simulatorState).catch(() => {});
}
