-- Indexes for the query API (pipeline/query_stock.ts): chain-wide top products read one day of
-- sku_daily across stores; inventory by SKU reads one SKU across stores. The primary keys
-- (store_id first) serve the per-store forms already.
create index sku_daily_day_idx on sku_daily (day);
create index inventory_sku_idx on inventory (sku);
