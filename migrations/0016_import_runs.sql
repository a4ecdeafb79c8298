-- One row per CSV import (deno task import): what was read, what was accepted, and the file's own
-- sums, so an operator can see what a backfill did and compare it with the rollups later.
create table import_runs (
  id              bigserial primary key,
  file            text not null,
  mapping         text not null,
  started_at      timestamptz not null,
  finished_at     timestamptz,
  status          text not null check (status in ('running', 'done', 'failed')),
  error           text,
  rows_read       bigint not null default 0,
  receipts        bigint not null default 0,
  duplicates      bigint not null default 0,
  rejected_rows   bigint not null default 0,
  accepted_rows   bigint not null default 0,
  sales_cents     bigint not null default 0,
  refund_cents    bigint not null default 0,
  sales_units     bigint not null default 0,
  refund_units    bigint not null default 0,
  stores_created  text[] not null default '{}',
  rejects_file    text
);
