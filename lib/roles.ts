/**
 * The process roles and how each starts. A role runs until `signal` aborts, then finishes the
 * work in hand and resolves. `deno task start` runs several in one process.
 */
import type { Runtime } from "./runtime.ts";
import { log } from "./log.ts";

/** Options every role receives. */
export interface RoleOptions {
  signal: AbortSignal;
  /** Development mode: rebuild islands on change. */
  dev?: boolean;
}

/** A role: runs until the signal aborts. */
export type Role = (rt: Runtime, opts: RoleOptions) => Promise<void>;

/** Resolves when the signal aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

/** A role that is not built yet: it says so and idles until shutdown. */
export function idle(name: string, issue: string): Role {
  return async (_rt, { signal }) => {
    log.warn(`${name} role has nothing to run yet (${issue}); idling until shutdown`);
    await aborted(signal);
  };
}

/** Every role by name; modules are imported lazily so one role never loads another's code. */
export const ROLES = {
  web: async (rt: Runtime, opts: RoleOptions) => {
    const { runWeb } = await import("./web/server.ts");
    await runWeb(rt, opts);
  },
  worker: async (rt: Runtime, opts: RoleOptions) =>
    (await import("../pipeline/worker.ts")).runWorkers(rt, opts),
  scheduler: async (rt: Runtime, opts: RoleOptions) =>
    (await import("../scheduler/scheduler.ts")).runScheduler(rt, { signal: opts.signal }),
  simulator: async (rt: Runtime, opts: RoleOptions) => {
    const { runSimulatorRole } = await import("../ingest/simulator/role.ts");
    await runSimulatorRole(rt, opts);
  },
} satisfies Record<string, Role>;

/** Name of a role. */
export type RoleName = keyof typeof ROLES;
