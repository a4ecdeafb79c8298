-- Each register's day: sales and refunds rung up, and its newest receipt, by store-local date.
--
-- The store page's "Registers today" used to aggregate the day's receipts, found through the
-- receipts' (ts) index: every receipt of the whole chain that day, to keep one store's (81 ms
-- with 400,000 receipts a day, and growing with the chain). An index on receipts (store_id, ts)
-- would cost every insert ~2 µs; this table costs a batch one more row of arrays in
-- register_pending, folded in by the compactor (pipeline/compact.ts) with the hour and day
-- deltas, or, for a big batch, one upsert of its own. Fed, like the rollups, only by receipts
-- recorded for the first time, so it is exact.
create table register_day (
  store_id      text not null,
  day           date not null,                 -- the store's local date
  register_id   text not null,
  transactions  int4 not null,                 -- sales
  sales_cents   int8 not null,
  refunds       int4 not null,
  refund_cents  int8 not null,
  last_at       timestamptz not null,          -- its newest receipt (sale or refund)
  primary key (store_id, day, register_id)
);

-- Register-day deltas of small batches, waiting for the compactor: one row per batch, the
-- columns as arrays (like rollup_pending).
create table register_pending (
  id            bigint generated always as identity,
  created_at    timestamptz not null default now(),
  store_ids     text[] not null,
  days          date[] not null,
  register_ids  text[] not null,
  transactions  int4[] not null,
  sales_cents   int8[] not null,
  refunds       int4[] not null,
  refund_cents  int8[] not null,
  last_ms       int8[] not null
);
alter table register_pending set (autovacuum_vacuum_threshold = 500,
  autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_insert_threshold = -1);

-- The receipts recorded so far. Stop the workers before migrating (docs/operations.md): a
-- worker of the previous version would record receipts that this table never sees.
insert into register_day
select store_id, local_date, register_id,
  count(*) filter (where type = 'sale'),
  coalesce(sum(total_cents) filter (where type = 'sale'), 0),
  count(*) filter (where type = 'refund'),
  coalesce(sum(total_cents) filter (where type = 'refund'), 0),
  max(ts)
from receipts group by store_id, local_date, register_id;
