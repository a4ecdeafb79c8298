/** The `job_runs` table: one row per run, written when it starts and when it ends. */
import type { Sql } from "../lib/db.ts";

/** One recorded run. */
export interface JobRun {
  id: number;
  job: string;
  scheduledFor: Date | null;
  startedAt: Date;
  finishedAt: Date | null;
  status: "running" | "ok" | "error" | "skipped";
  error: string | null;
  details: Record<string, unknown>;
  runner: string;
}

/** Records the start of a run; returns its id. */
export async function startRun(
  sql: Sql,
  job: string,
  scheduledFor: number | null,
  runner: string,
): Promise<number> {
  const [r] = await sql`insert into job_runs (job, scheduled_for, runner)
    values (${job}, ${scheduledFor === null ? null : new Date(scheduledFor)}, ${runner})
    returning id`;
  return Number(r.id);
}

/** Records how a run ended. */
export async function finishRun(
  sql: Sql,
  id: number,
  status: "ok" | "error" | "skipped",
  details: Record<string, unknown>,
  error?: string,
): Promise<void> {
  await sql`update job_runs set finished_at = now(), status = ${status}, error = ${error ?? null},
            details = ${sql.json(details as never)} where id = ${id}`;
}

// deno-lint-ignore no-explicit-any
function toRun(r: any): JobRun {
  return {
    id: Number(r.id),
    job: r.job,
    scheduledFor: r.scheduled_for,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    error: r.error,
    details: r.details,
    runner: r.runner,
  };
}

/** The latest runs, newest first (optionally of one job, optionally without skipped ones). */
export async function recentRuns(
  sql: Sql,
  opts: { job?: string; limit?: number; withoutSkipped?: boolean } = {},
): Promise<JobRun[]> {
  const limit = opts.limit ?? 50;
  const rows = await sql`select * from job_runs
    where ${opts.job ? sql`job = ${opts.job}` : sql`true`}
      and ${opts.withoutSkipped ? sql`status <> 'skipped'` : sql`true`}
    order by started_at desc, id desc limit ${limit}`;
  return rows.map(toRun);
}

/** The most recent run of every job (frequent jobs would otherwise hide the rare ones). */
export async function lastRunPerJob(sql: Sql): Promise<JobRun[]> {
  const rows = await sql`select distinct on (job) * from job_runs
                         order by job, started_at desc, id desc`;
  return rows.map(toRun);
}
