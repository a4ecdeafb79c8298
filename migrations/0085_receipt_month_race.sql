-- ensure_receipt_month (0070) when two worker processes start together: the second waited for
-- the first's advisory lock, then checked for the month's table with the catalog as it saw it
-- before waiting (an advisory lock does not make a backend take in other sessions' catalog
-- changes), missed the table the first had just committed, and failed with "relation
-- receipts_YYYY_MM already exists" (a warning, retried by maintenance a minute later). The
-- re-check now follows the lock on receipts_default, whose acquisition brings the catalog up to
-- date. pipeline/partitions_test.ts reproduces it with two connections.
create or replace function ensure_receipt_month(month date) returns boolean
language plpgsql as $$
declare
  first date := make_date(extract(year from month)::int, extract(month from month)::int, 1);
  lo timestamptz := first::timestamp at time zone 'UTC';
  hi timestamptz := (first + interval '1 month')::timestamp at time zone 'UTC';
  suffix text := to_char(first, 'YYYY_MM');
begin
  if to_regclass('receipts_' || suffix) is not null then
    return false;
  end if;
  -- One creator at a time.
  perform pg_advisory_xact_lock(7424202);
  lock table receipts_default in exclusive mode;
  if to_regclass('receipts_' || suffix) is not null then
    return false;
  end if;
  execute format('create table %I (like receipts including defaults including constraints)',
    'receipts_' || suffix);
  execute format('with moved as (delete from receipts_default where ts >= $1 and ts < $2
    returning *) insert into %I select * from moved', 'receipts_' || suffix) using lo, hi;
  execute format('alter table receipts attach partition %I for values from (%L) to (%L)',
    'receipts_' || suffix, lo, hi);
  return true;
end $$;
