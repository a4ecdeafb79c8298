/** The shape of a scheduled job and the registry other modules add jobs to. */
import type { Runtime } from "../lib/runtime.ts";

/** What a job run receives. */
export interface JobContext {
  rt: Runtime;
  signal: AbortSignal;
  /** The run's time (the cron tick, or now for start-up runs), epoch ms. */
  now: number;
}

/** Details a run reports; `skipped` marks a run that had nothing to do. */
export type JobDetails = Record<string, unknown> & { skipped?: string };

/** A scheduled job. */
export interface Job {
  name: string;
  description: string;
  /** Default cron pattern (croner syntax, 5 or 6 fields); override with TILLSTREAM_SCHEDULES. */
  schedule: string;
  /** Lock time-to-live; the lock is extended while the run lasts. Default 5 minutes. */
  lockTtlMs?: number;
  /** Also run once when the scheduler starts. */
  runOnStart?: boolean;
  run(ctx: JobContext): Promise<JobDetails | void>;
}

/** Jobs added at run time with {@link registerJob}, beside the built-in `JOBS` list. */
export const EXTRA_JOBS: Job[] = [];

/** Adds (or replaces, by name) a job the scheduler runs in addition to the built-in ones. */
export function registerJob(job: Job): void {
  const i = EXTRA_JOBS.findIndex((j) => j.name === job.name);
  if (i >= 0) EXTRA_JOBS[i] = job;
  else EXTRA_JOBS.push(job);
}

/**
 * Parses TILLSTREAM_SCHEDULES: `name=cron` pairs separated by ';', `off` disables a job, e.g.
 * `forecast=5 * * * *;churn=off`.
 */
export function parseSchedules(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of raw.split(";").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq < 1) {
      throw new Error(
        `TILLSTREAM_SCHEDULES entry "${part}" is not name=cron, e.g. TILLSTREAM_SCHEDULES="forecast=5 * * * *;churn=off"`,
      );
    }
    out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}
