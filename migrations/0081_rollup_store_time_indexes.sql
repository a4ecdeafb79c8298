-- Rollup minutes and hours by store and time, whatever the category.
--
-- The dashboard's pacing (lib/dashboard/pacing.ts: today so far against the same time last week,
-- per store, and per category on the products and store pages) reads each store's minutes of the
-- current hour for every category at once. The primary key (store_id, category, bucket) cannot
-- bound that by time, so every such read walked all of the store's minutes ever recorded: 8 ms per
-- store and window with four weeks of history, 0.6–1 s for the products page of 50 stores.
--
-- rollup_minute's index on (bucket) alone served nothing (no query reads minutes without a
-- store), so it is replaced. Both indexes are written only when a row is created (a store ×
-- category × minute or hour seen for the first time): the upserts that follow are mostly
-- heap-only (fill factor 70) and touch no index.
drop index rollup_minute_bucket_idx;
create index rollup_minute_store_bucket_idx on rollup_minute (store_id, bucket);
create index rollup_hour_store_bucket_idx on rollup_hour (store_id, bucket);
