-- Hour and day deltas of the store × category rollups, waiting to be folded in.
--
-- Every batch used to rewrite each store × category it touched at all three resolutions, so
-- the rows rewritten per second grew with batches per second. Now a batch transaction upserts
-- the minute rows and the whole-store and chain-wide rows as before, and appends its store ×
-- category hour and day deltas here: one row per resolution, the columns as arrays (no hot
-- rows, no row locks). The compactor (pipeline/compact.ts) deletes what it finds and adds it
-- to rollup_hour / rollup_day in one transaction of its own, a few times a second, so each
-- bucket is rewritten once per compaction instead of once per batch. Both steps are
-- transactions: a delta is counted exactly once whatever crashes in between.
--
-- buckets: epoch ms of the hour start, or of the store-local date at UTC midnight (day).
create table rollup_pending (
  id              bigint generated always as identity,
  resolution      text not null check (resolution in ('hour', 'day')),
  created_at      timestamptz not null default now(),
  store_ids       text[] not null,
  categories      text[] not null,
  buckets         int8[] not null,
  sales_cents     int8[] not null,
  transactions    int4[] not null,
  units           int4[] not null,
  refunds         int4[] not null,
  refund_cents    int8[] not null,
  discount_cents  int8[] not null,
  revised         int4[] not null
);
-- Rows live for a fraction of a second: vacuum often so compactions scan few dead ones. The
-- compactor also vacuums the table itself every 10 s, for servers that run without autovacuum.
alter table rollup_pending set (autovacuum_vacuum_threshold = 500,
  autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_insert_threshold = -1);
