-- Scheduler job runs: one row per run (start, end, status, error), shown on /models.
create table job_runs (
  id             bigserial primary key,
  job            text not null,
  scheduled_for  timestamptz,                 -- the cron tick; null for manual/startup runs
  started_at     timestamptz not null default now(),
  finished_at    timestamptz,
  status         text not null default 'running'
                 check (status in ('running', 'ok', 'error', 'skipped')),
  error          text,
  details        jsonb not null default '{}',
  runner         text not null                -- host:pid of the scheduler that ran it
);
create index job_runs_job_idx on job_runs (job, started_at desc);
create index job_runs_started_idx on job_runs (started_at desc);
