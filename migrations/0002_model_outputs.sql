-- Outputs of the scheduled models, read by the dashboard and the alert engine. Defined up front
-- so producers (models/) and consumers (routes/, alerts/) share one shape.

-- Forecasts: one row per series and future bucket from the active forecast model.
-- category '*' = the whole store; store_id '*' = chain-wide. resolution 'hour' | 'day'.
create table forecasts (
  store_id      text not null,
  category      text not null,
  resolution    text not null check (resolution in ('hour', 'day')),
  bucket        timestamptz not null,
  p10_cents     bigint not null,
  p50_cents     bigint not null,
  p90_cents     bigint not null,
  model         text not null,          -- e.g. "forecast@3"
  generated_at  timestamptz not null default now(),
  primary key (store_id, category, resolution, bucket)
);

-- Anomaly flags with their evidence. kind: sales_low | sales_high | refund_burst |
-- discount_abuse | outlier_receipt | series (general detector) | ...
create table anomaly_flags (
  id              bigserial primary key,
  detector        text not null,        -- e.g. "forecast_band", "register_patterns"
  kind            text not null,
  store_id        text not null,
  category        text,
  register_id     text,
  window_start    timestamptz not null,
  window_end      timestamptz not null,
  severity        text not null check (severity in ('low', 'medium', 'high', 'critical')),
  score           double precision not null,   -- robust z-like score; larger = more unusual
  actual          double precision,
  expected_low    double precision,
  expected_high   double precision,
  evidence        jsonb not null default '{}', -- e.g. {"receipts": [["S1","T123"], ...]}
  created_at      timestamptz not null default now()
);
-- One flag per detector, kind, series and window: re-running a check never duplicates flags.
create unique index anomaly_flags_once_idx on anomaly_flags
  (detector, kind, store_id, coalesce(category, ''), coalesce(register_id, ''), window_start);
create index anomaly_flags_created_idx on anomaly_flags (created_at);

-- Demand and stock-out risk per store x SKU (latest run only).
create table stock_risk (
  store_id        text not null,
  sku             text not null,
  daily_demand    double precision not null,
  on_hand         int not null,
  days_of_cover   double precision,          -- null when demand is 0
  stockout_date   date,
  reorder_qty     int not null default 0,
  generated_at    timestamptz not null default now(),
  primary key (store_id, sku)
);

-- Churn scores per customer (latest run only), with reason codes in plain words.
create table churn_scores (
  customer_id   text primary key,
  probability   double precision not null check (probability between 0 and 1),
  segment       text not null,   -- champions | loyal | at_risk | hibernating | lost | new
  reasons       text[] not null default '{}',
  model         text not null,
  generated_at  timestamptz not null default now()
);
