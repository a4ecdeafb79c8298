-- Monthly partitions of receipts and receipt_lines (UTC months), created ahead of time by the
-- workers (pipeline/partitions.ts). Rows that already landed in a default partition for that
-- month are moved into the new partition in the same transaction, with the default partitions
-- locked against concurrent inserts, so no row is lost, duplicated or left unattachable.
create or replace function ensure_receipt_month(month date) returns boolean
language plpgsql as $$
declare
  first date := make_date(extract(year from month)::int, extract(month from month)::int, 1);
  lo timestamptz := first::timestamp at time zone 'UTC';
  hi timestamptz := (first + interval '1 month')::timestamp at time zone 'UTC';
  suffix text := to_char(first, 'YYYY_MM');
  t text;
  created boolean := false;
begin
  if to_regclass('receipts_' || suffix) is not null
     and to_regclass('receipt_lines_' || suffix) is not null then
    return false;
  end if;
  -- One creator at a time; workers insert receipts before lines, so lock in that order.
  perform pg_advisory_xact_lock(7424202);
  lock table receipts_default in exclusive mode;
  lock table receipt_lines_default in exclusive mode;
  foreach t in array array['receipts', 'receipt_lines'] loop
    if to_regclass(t || '_' || suffix) is null then
      execute format('create table %I (like %I including defaults including constraints)',
        t || '_' || suffix, t);
      execute format('with moved as (delete from %I where ts >= $1 and ts < $2 returning *)
        insert into %I select * from moved', t || '_default', t || '_' || suffix) using lo, hi;
      execute format('alter table %I attach partition %I for values from (%L) to (%L)',
        t, t || '_' || suffix, lo, hi);
      created := true;
    end if;
  end loop;
  return created;
end $$;
