/**
 * The scheduler role: every job on its croner schedule, each run guarded twice in Redis — a
 * per-tick claim (so a second scheduler whose timer fires late for the same tick does nothing)
 * and a per-job lock with a token (so a long run never overlaps the next tick's run) — and
 * recorded in `job_runs`.
 */
import { Cron } from "croner";
import type { Runtime } from "../lib/runtime.ts";
import { errorMessage, log } from "../lib/log.ts";
import { aborted } from "../lib/roles.ts";
import { acquireLock, claimTick, extendLock, releaseLock } from "./lock.ts";
import { EXTRA_JOBS, type Job, type JobDetails, parseSchedules } from "./job.ts";
import { finishRun, startRun } from "./runs.ts";

/** Options of {@link runScheduler}. */
export interface SchedulerOptions {
  signal: AbortSignal;
  /** Jobs to run; default the built-in JOBS plus registered ones. */
  jobs?: Job[];
  /** Schedule overrides by job name ('off' disables); default from TILLSTREAM_SCHEDULES. */
  schedules?: Map<string, string>;
  /** Name of this scheduler in job_runs; default host:pid. */
  runner?: string;
}

/** Outcome of one attempt to run a job. */
export type RunOutcome = "ok" | "error" | "skipped" | "claimed_elsewhere" | "locked";

function defaultRunner(): string {
  let host = "localhost";
  try {
    host = Deno.hostname();
  } catch { /* no sys permission */ }
  return `${host}:${Deno.pid}`;
}

/**
 * Runs `job` once for `tick` (epoch ms) unless another scheduler claimed that tick or the job's
 * previous run still holds the lock.
 */
export async function runJobOnce(
  rt: Runtime,
  job: Job,
  tick: number,
  opts: { signal: AbortSignal; runner?: string; scheduled?: boolean },
): Promise<RunOutcome> {
  const ttl = job.lockTtlMs ?? 5 * 60_000;
  // The claim outlives any clock skew between schedulers but not the next day's same tick.
  if (!(await claimTick(rt.redis, rt.keys.jobLock(`${job.name}@${tick}`), 6 * 3_600_000))) {
    return "claimed_elsewhere";
  }
  const lock = await acquireLock(rt.redis, rt.keys.jobLock(job.name), ttl);
  if (!lock) {
    log.info("job still running elsewhere; this tick is skipped", { job: job.name });
    return "locked";
  }
  const keepAlive = setInterval(() => {
    extendLock(rt.redis, lock, ttl).catch(() => {});
  }, Math.max(1000, ttl / 3));
  const runner = opts.runner ?? defaultRunner();
  const started = performance.now();
  let id: number | undefined;
  try {
    id = await startRun(rt.sql, job.name, opts.scheduled === false ? null : tick, runner);
    const details: JobDetails = (await job.run({ rt, signal: opts.signal, now: tick })) ?? {};
    const status = details.skipped ? "skipped" : "ok";
    await finishRun(rt.sql, id, status, {
      ...details,
      durationMs: Math.round(performance.now() - started),
    });
    log.info("job finished", {
      job: job.name,
      status,
      ms: Math.round(performance.now() - started),
    });
    return status;
  } catch (e) {
    // A run cut short by the shutdown (a training worker terminated) is expected, not an alarm.
    if (opts.signal.aborted) {
      log.info("job stopped by shutdown", { job: job.name, error: errorMessage(e) });
    } else log.error("job failed", { job: job.name, error: errorMessage(e) });
    if (id !== undefined) {
      await finishRun(rt.sql, id, "error", {}, errorMessage(e)).catch(() => {});
    }
    return "error";
  } finally {
    clearInterval(keepAlive);
    await releaseLock(rt.redis, lock).catch(() => {});
  }
}

/**
 * The cron occurrence a firing belongs to: the first occurrence after `firedAt` minus half a
 * period (at most 30 s). Timers fire late by varying amounts (a busy event loop during training),
 * and both schedulers must name the tick the same way.
 */
export function tickOf(cron: Cron, firedAt: number): number {
  const [a, b] = cron.nextRuns(2, new Date(firedAt - 3_600_000 * 24 * 7));
  const period = a && b ? b.getTime() - a.getTime() : 60_000;
  const slack = Math.min(30_000, period / 2);
  return cron.nextRun(new Date(firedAt - slack))?.getTime() ?? firedAt;
}

/** The jobs and their effective schedules (overrides applied, disabled ones dropped). */
export function effectiveJobs(jobs: Job[], overrides: Map<string, string>) {
  const out: { job: Job; schedule: string }[] = [];
  for (const job of jobs) {
    const schedule = overrides.get(job.name) ?? job.schedule;
    if (schedule === "off") continue;
    out.push({ job, schedule });
  }
  return out;
}

/** Runs every job on its schedule until `signal` aborts, then waits for runs in progress. */
export async function runScheduler(rt: Runtime, opts: SchedulerOptions): Promise<void> {
  const jobs = opts.jobs ?? [...(await import("./jobs.ts")).JOBS, ...EXTRA_JOBS];
  const overrides = opts.schedules ?? parseSchedules(rt.config.TILLSTREAM_SCHEDULES);
  const inFlight = new Set<Promise<unknown>>();
  const track = (p: Promise<unknown>) => {
    inFlight.add(p);
    p.finally(() => inFlight.delete(p));
  };
  const crons: Cron[] = [];
  for (const { job, schedule } of effectiveJobs(jobs, overrides)) {
    let cron: Cron;
    try {
      cron = new Cron(schedule, { protect: true }, (self: Cron) => {
        if (opts.signal.aborted) return;
        const tick = tickOf(self, Date.now());
        const p = runJobOnce(rt, job, tick, opts);
        track(p);
        return p.then(() => {});
      });
    } catch (e) {
      throw new Error(
        `job "${job.name}" has an invalid schedule "${schedule}": ${
          errorMessage(e)
        }; use cron syntax, e.g. TILLSTREAM_SCHEDULES="${job.name}=0 * * * *"`,
      );
    }
    crons.push(cron);
    if (job.runOnStart) {
      // Start-up runs share a per-minute tick, so schedulers started together run them once.
      const tick = Math.floor(rt.clock.now() / 60_000) * 60_000 + 1;
      track(runJobOnce(rt, job, tick, { ...opts, scheduled: false }));
    }
  }
  log.info("scheduler started", {
    jobs: effectiveJobs(jobs, overrides).map(({ job, schedule }) => `${job.name} (${schedule})`),
  });
  await aborted(opts.signal);
  for (const c of crons) c.stop();
  await Promise.allSettled([...inFlight]);
}
