-- A receipt's lines move into the receipt's own row; `receipt_lines` becomes a view with the
-- same columns, so what read the table reads the view unchanged.
--
-- Why: the lines were ~2.5 rows per receipt in a table of their own, about a third of
-- PostgreSQL's work per receipt in the stream workers' batch transaction (each row its own
-- heap tuple, header and WAL record, carrying store, transaction and time again). As one
-- `json` column of the receipt row they cost about a quarter of that (measured with
-- `deno task bench pipeline`, see docs/benchmarks.md). `json` (not `jsonb`) keeps the text as
-- written after checking it is valid JSON, the cheapest form to write; the lines are read
-- rarely (the price-anomaly model) and always by time range, which the view serves through
-- receipts_ts_idx (the table had no index at all).
--
-- Format: one array per line, in line order: [sku, category, quantity, unit_price_cents,
-- discount_cents], e.g. [["SKU-1","Dairy",2,349,0]]. The amount (quantity × unit price −
-- discount) is derived, as the worker always computed it.
--
-- Existing lines are copied into their receipts here: one pass over both tables, in this
-- migration's transaction (on a large history, plan for the time and disk of rewriting every
-- receipt row once; docs/operations.md).
alter table receipts add column lines json not null default '[]';

update receipts r set lines = l.lines
from (
  select store_id, transaction_id, ts,
    json_agg(json_build_array(sku, category, quantity, unit_price_cents, discount_cents)
      order by line_no) as lines
  from receipt_lines group by store_id, transaction_id, ts
) l
where r.store_id = l.store_id and r.transaction_id = l.transaction_id and r.ts = l.ts;

alter table receipts alter column lines drop default;

drop table receipt_lines;

create view receipt_lines as
select r.store_id, r.transaction_id, r.ts, l.line_no::int as line_no, l.v->>0 as sku,
  l.v->>1 as category, (l.v->>2)::int as quantity, (l.v->>3)::bigint as unit_price_cents,
  (l.v->>4)::bigint as discount_cents,
  (l.v->>2)::bigint * (l.v->>3)::bigint - (l.v->>4)::bigint as amount_cents
from receipts r cross join lateral json_array_elements(r.lines) with ordinality as l(v, line_no);

-- Monthly partitions now exist for receipts alone (was receipts and receipt_lines, 0020).
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
  if to_regclass('receipts_' || suffix) is not null then
    return false;
  end if;
  lock table receipts_default in exclusive mode;
  execute format('create table %I (like receipts including defaults including constraints)',
    'receipts_' || suffix);
  execute format('with moved as (delete from receipts_default where ts >= $1 and ts < $2
    returning *) insert into %I select * from moved', 'receipts_' || suffix) using lo, hi;
  execute format('alter table receipts attach partition %I for values from (%L) to (%L)',
    'receipts_' || suffix, lo, hi);
  return true;
end $$;
