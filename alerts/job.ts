/**
 * The scheduler's "alerts" job: one evaluation pass (every rule that is due, then due
 * deliveries and retries) every 10 seconds. On its first run in a process it also creates the
 * VAPID keys if missing, loads TILLSTREAM_ALERTS_FILE and watches it until the scheduler stops
 * (without a file, a fresh install gets the starter rules of starter_rules.ts).
 */
import type { Job } from "../scheduler/job.ts";
import type { Runtime } from "../lib/runtime.ts";
import { evaluateAlerts } from "./engine.ts";
import { watchProvisioning } from "./provisioning.ts";
import { vapidKeys } from "./vapid.ts";
import { ensureStarterRules } from "./starter_rules.ts";

const watching = new WeakSet<object>();

/**
 * First run in a process: makes sure the VAPID key pair exists (generated at first start, so
 * browsers can subscribe before any alert fires), then loads and watches the provisioning file.
 */
export async function ensureProvisioning(rt: Runtime, signal: AbortSignal): Promise<void> {
  if (watching.has(rt.sql)) return;
  watching.add(rt.sql);
  await vapidKeys(rt.sql);
  const path = rt.config.TILLSTREAM_ALERTS_FILE;
  if (path) await watchProvisioning(rt, path, { signal });
  else await ensureStarterRules(rt.sql);
}

/** The job definition added to scheduler/jobs.ts. */
export const alertsJob: Job = {
  name: "alerts",
  description: "evaluate alert rules, send notifications and retries",
  schedule: "*/10 * * * * *",
  runOnStart: true,
  lockTtlMs: 2 * 60_000,
  run: async ({ rt, signal }) => {
    await ensureProvisioning(rt, signal);
    // The rules' own intervals decide what is due; the wall clock, not the tick, is "now".
    const r = await evaluateAlerts(rt, rt.clock.now());
    if (r.rules === 0 && !r.delivery?.delivered && !r.delivery?.failed) {
      return { skipped: "no rule due" };
    }
    return {
      rules: r.rules,
      events: r.events.length,
      notifications: r.notifications,
      errors: r.errors.length,
      ...r.delivery,
    };
  },
};
