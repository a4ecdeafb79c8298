-- Core data model: stores, connector keys, raw receipts (partitioned by month), the
-- idempotency keys that make resends safe, and the rollups the pipeline keeps exact.
-- Money is integer minor units (cents) everywhere. '*' in store_id/category means "all".

create table stores (
  id            text primary key check (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
  name          text not null,
  city          text,
  region        text,
  country       text,
  lat           double precision check (lat between -90 and 90),
  lon           double precision check (lon between -180 and 180),
  timezone      text not null,
  currency      char(3) not null default 'USD',
  -- {"mon": ["08:00", "21:00"], ..., "sun": null}; null means unknown/always open
  opening_hours jsonb,
  created_at    timestamptz not null default now()
);

create table connector_keys (
  id          text primary key,
  name        text not null,
  key_hash    text not null unique,
  stores      text[],            -- null: may write every store
  created_at  timestamptz not null default now(),
  revoked_at  timestamptz
);

-- One row per (store, transaction) ever accepted by a worker: the idempotency key. Kept outside
-- the partitioned receipts table because a partitioned table's unique keys must include the
-- partition column, and a resent receipt must be recognised whatever its timestamp says.
create table receipt_keys (
  store_id        text not null,
  transaction_id  text not null,
  ts              timestamptz not null,
  primary key (store_id, transaction_id)
);

create table receipts (
  store_id        text not null,
  transaction_id  text not null,
  type            text not null check (type in ('sale', 'refund')),
  register_id     text not null,
  cashier_id      text,
  customer_id     text,
  ts              timestamptz not null,          -- event time
  local_date      date not null,                 -- the store's local date at ts
  currency        char(3) not null,
  payment         text not null,
  total_cents     bigint not null,               -- positive for sales and refunds alike
  discount_cents  bigint not null default 0,
  units           int not null,
  received_at     timestamptz not null default now(),
  primary key (store_id, transaction_id, ts)
) partition by range (ts);
create table receipts_default partition of receipts default;
create index receipts_ts_idx on receipts (ts);
create index receipts_customer_idx on receipts (customer_id, ts) where customer_id is not null;

create table receipt_lines (
  store_id        text not null,
  transaction_id  text not null,
  ts              timestamptz not null,
  line_no         int not null,
  sku             text not null,
  category        text not null,
  quantity        int not null,
  unit_price_cents bigint not null,
  discount_cents  bigint not null default 0,
  amount_cents    bigint not null,               -- quantity * unit_price - discount
  primary key (store_id, transaction_id, ts, line_no)
) partition by range (ts);
create table receipt_lines_default partition of receipt_lines default;

-- Rollups by event time. sales_cents/transactions/units count sale receipts; refunds and
-- refund_cents count refund receipts; revised counts late events that changed a closed bucket.
create table rollup_minute (
  store_id        text not null,
  category        text not null,
  bucket          timestamptz not null,
  sales_cents     bigint not null default 0,
  transactions    int not null default 0,
  units           int not null default 0,
  refunds         int not null default 0,
  refund_cents    bigint not null default 0,
  discount_cents  bigint not null default 0,
  revised         int not null default 0,
  primary key (store_id, category, bucket)
);
create table rollup_hour (like rollup_minute including all);
-- Days are the store's local date; the chain-wide row ('*') sums each store's own local day.
create table rollup_day (
  store_id        text not null,
  category        text not null,
  day             date not null,
  sales_cents     bigint not null default 0,
  transactions    int not null default 0,
  units           int not null default 0,
  refunds         int not null default 0,
  refund_cents    bigint not null default 0,
  discount_cents  bigint not null default 0,
  revised         int not null default 0,
  primary key (store_id, category, day)
);
create index rollup_minute_bucket_idx on rollup_minute (bucket);
create index rollup_hour_bucket_idx on rollup_hour (bucket);

-- Per store x SKU per local day, for top products and demand.
create table sku_daily (
  store_id       text not null,
  day            date not null,
  sku            text not null,
  category       text not null,
  units          int not null default 0,
  revenue_cents  bigint not null default 0,
  primary key (store_id, day, sku)
);

-- Customer profile (from customer events) and purchase stats (from receipts), for churn.
create table customers (
  customer_id   text primary key,
  store_id      text,
  email         text,
  phone         text,
  signed_up_at  timestamptz,
  updated_at    timestamptz not null default now()
);
create table customer_stats (
  customer_id     text primary key,
  first_purchase  timestamptz not null,
  last_purchase   timestamptz not null,
  orders          int not null default 0,
  revenue_cents   bigint not null default 0,
  refunds         int not null default 0
);

-- Inventory: each accepted inventory event once (event_id is its idempotency key), and on hand.
create table inventory_events (
  store_id    text not null,
  event_id    text not null,
  sku         text not null,
  kind        text not null check (kind in ('count', 'receipt', 'adjustment')),
  quantity    int not null,
  ts          timestamptz not null,
  primary key (store_id, event_id)
);
create table inventory (
  store_id    text not null,
  sku         text not null,
  on_hand     int not null default 0,
  counted_at  timestamptz,
  updated_at  timestamptz not null default now(),
  primary key (store_id, sku)
);

-- Anomalies injected by the simulator, so models and alerts can be scored against the truth.
create table anomaly_labels (
  id           bigserial primary key,
  kind         text not null,   -- refund_burst | pos_outage | demand_spike | price_glitch
  store_id     text not null,
  register_id  text,
  sku          text,
  starts_at    timestamptz not null,
  ends_at      timestamptz not null,
  details      jsonb not null default '{}'
);
