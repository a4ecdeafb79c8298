-- One SKU's days across stores (the products page's SKU trend, `sku-trend` CSV): the primary key
-- (store_id, day, sku) made that read every SKU of every store's days in range and keep one (170
-- ms for 28 days of 50 stores × 400 SKUs); this index reads that SKU's rows only (27 ms, most of
-- it fetching them). Written only when a store × day × SKU row is created; the upserts that follow
-- change only units and revenue, and stay heap-only.
create index sku_daily_sku_day_idx on sku_daily (sku, day);
