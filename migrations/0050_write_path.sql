-- Cheaper writes for the stream workers' batch transaction (measured with
-- `deno task bench pipeline`, see docs/benchmarks.md).
--
-- receipt_lines loses its primary key: a receipt's lines are inserted only in the transaction
-- that records its idempotency key in receipt_keys (pipeline/apply.ts), so they are unique by
-- construction, and nothing looks lines up by key (they are read by time range).
alter table receipt_lines drop constraint receipt_lines_pkey;
-- receipts' own key (store_id, transaction_id, ts) goes for the same reason: receipt_keys holds
-- the uniqueness, and the queries by store read a time range (receipts_ts_idx), which a key
-- led by store_id then transaction_id could not serve.
alter table receipts drop constraint receipts_pkey;

-- Rows that every batch updates in place keep free room on their page, so an update can be a
-- heap-only (HOT) update that touches no index. Applies to pages written from now on.
alter table sku_daily set (fillfactor = 70);
alter table inventory set (fillfactor = 70);
alter table customer_stats set (fillfactor = 70);
alter table rollup_minute set (fillfactor = 70);
alter table rollup_hour set (fillfactor = 70);
alter table rollup_day set (fillfactor = 70);
