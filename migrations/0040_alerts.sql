-- Alerting: recipients, rules, channels, alert instances with their full history, silences,
-- and every notification delivery with each attempt. Rules and channels may be provisioned
-- from TILLSTREAM_ALERTS_FILE (provisioned = true: edited only through the file).

-- Recipients. Designed for accounts later: until then the API identifies a caller by the
-- X-Tillstream-User header (default "manager"). role 'store_manager' only ever receives
-- alerts about store_ids.
create table users (
  id          text primary key check (id ~ '^[A-Za-z0-9_.@-]{1,64}$'),
  name        text not null,
  email       text,
  role        text not null default 'manager'
              check (role in ('admin', 'manager', 'store_manager', 'analyst')),
  store_ids   text[] not null default '{}',
  created_at  timestamptz not null default now()
);
insert into users (id, name, role) values ('manager', 'Manager', 'manager');

-- Per-user notification settings: quiet hours in the user's time zone, personal channels.
create table user_notification_settings (
  user_id        text primary key references users (id) on delete cascade,
  timezone       text not null default 'UTC',
  quiet_start    text check (quiet_start ~ '^\d{2}:\d{2}$'),   -- e.g. '22:00'
  quiet_end      text check (quiet_end ~ '^\d{2}:\d{2}$'),     -- e.g. '07:00'
  quiet_bypass_critical boolean not null default true,
  email_enabled  boolean not null default true,
  push_enabled   boolean not null default true,
  updated_at     timestamptz not null default now()
);

create table alert_channels (
  id           text primary key check (id ~ '^[a-z0-9_-]{1,64}$'),
  name         text not null,
  type         text not null
               check (type in ('in_app', 'webhook', 'slack', 'teams', 'email', 'pagerduty', 'web_push')),
  config       jsonb not null default '{}',
  enabled      boolean not null default true,
  provisioned  boolean not null default false,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);

create table alert_rules (
  id            text primary key check (id ~ '^[a-z0-9_-]{1,64}$'),
  name          text not null,
  type          text not null check (type in ('threshold', 'anomaly', 'inventory', 'pipeline')),
  params        jsonb not null,
  scope         jsonb not null default '{}',      -- {} chain | {"regions": [...]} | {"stores": [...]}
  severity      text not null check (severity in ('low', 'medium', 'high', 'critical')),
  interval_s    int not null check (interval_s between 5 and 86400),
  for_s         int not null default 0 check (for_s >= 0),
  resolve       jsonb not null default '{}',      -- {"value": n, "after_s": n}
  repeat_s      int not null default 14400 check (repeat_s >= 60),
  channels      text[] not null default '{}',
  enabled       boolean not null default true,
  provisioned   boolean not null default false,
  next_eval_at  timestamptz not null default '-infinity',
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

-- One row per alert instance. At most one open (not resolved) alert per rule x scope key.
create table alerts (
  id              bigserial primary key,
  rule_id         text not null references alert_rules (id) on delete cascade,
  scope_key       text not null,                 -- store id, "scope", "stream:<name>"...
  store_ids       text[] not null default '{}',
  state           text not null check (state in ('pending', 'firing', 'acknowledged', 'resolved')),
  severity        text not null,
  summary         text not null,
  value           double precision,
  details         jsonb not null default '{}',
  started_at      timestamptz not null,          -- condition first seen true (pending since)
  fired_at        timestamptz,
  acked_by        text,
  acked_at        timestamptz,
  resolved_at     timestamptz,
  resolved_by     text,                          -- null: resolved automatically
  clear_since     timestamptz,                   -- resolution condition true since
  flap_count      int not null default 0,        -- times the condition came back while clearing
  last_eval_at    timestamptz not null,
  last_notified_at timestamptz,
  notify_count    int not null default 0
);
create unique index alerts_open_once_idx on alerts (rule_id, scope_key) where state <> 'resolved';
create index alerts_state_idx on alerts (state, fired_at desc);
create index alerts_stores_idx on alerts using gin (store_ids);

-- Full history of every alert: state changes, acks, comments, silenced notifications.
create table alert_history (
  id        bigserial primary key,
  alert_id  bigint not null references alerts (id) on delete cascade,
  at        timestamptz not null,
  event     text not null,     -- pending | firing | acknowledged | resolved | comment | flap | silenced | notified
  actor     text,              -- user id, or null for the engine
  message   text,
  details   jsonb not null default '{}'
);
create index alert_history_alert_idx on alert_history (alert_id, id);

create table alert_silences (
  id          bigserial primary key,
  rule_id     text,            -- null: any rule
  store_id    text,            -- null: any store
  starts_at   timestamptz not null,
  ends_at     timestamptz not null check (ends_at > starts_at),
  reason      text not null default '',
  created_by  text not null,
  created_at  timestamptz not null default now(),
  check (rule_id is not null or store_id is not null)
);
create index alert_silences_ends_idx on alert_silences (ends_at);

-- Per-user subscriptions: which alerts reach which of the user's personal channels.
create table alert_subscriptions (
  id            bigserial primary key,
  user_id       text not null references users (id) on delete cascade,
  rule_id       text,                   -- null: every rule
  store_id      text,                   -- null: every store the user may see
  region        text,                   -- null: every region
  min_severity  text not null default 'low' check (min_severity in ('low', 'medium', 'high', 'critical')),
  channels      text[] not null default '{email,web_push}',
  created_at    timestamptz not null default now()
);
create index alert_subscriptions_user_idx on alert_subscriptions (user_id);

-- Web Push: one row per browser/device.
create table push_subscriptions (
  id          bigserial primary key,
  user_id     text not null references users (id) on delete cascade,
  endpoint    text not null unique,
  p256dh      text not null,
  auth        text not null,
  user_agent  text,
  created_at  timestamptz not null default now(),
  last_ok_at  timestamptz
);

-- Small secrets generated at first start (the VAPID key pair).
create table app_secrets (
  name        text primary key,
  value       jsonb not null,
  created_at  timestamptz not null default now()
);

-- One row per grouped notification (several alerts of one rule, one event kind).
create table alert_notifications (
  id          bigserial primary key,
  rule_id     text not null,
  kind        text not null check (kind in ('firing', 'repeat', 'acknowledged', 'resolved')),
  alert_ids   bigint[] not null,
  message     jsonb not null,
  created_at  timestamptz not null
);

-- One row per (notification, destination); the notifier's durable per-channel queue.
create table alert_deliveries (
  id               bigserial primary key,
  notification_id  bigint not null references alert_notifications (id) on delete cascade,
  queue            text not null,               -- e.g. "webhook:ops-hook", "email", "web_push"
  channel_type     text not null,
  channel_id       text,
  user_id          text,
  target           text not null,               -- URL, e-mail address, push subscription id
  payload          jsonb,                       -- per-recipient message; null: the notification's
  status           text not null default 'queued'
                   check (status in ('queued', 'delivered', 'failed', 'suppressed')),
  reason           text,                        -- why suppressed / last error
  attempts         int not null default 0,
  max_attempts     int not null default 5,
  next_attempt_at  timestamptz not null,
  delivered_at     timestamptz,
  created_at       timestamptz not null
);
create index alert_deliveries_due_idx on alert_deliveries (next_attempt_at) where status = 'queued';
create index alert_deliveries_notification_idx on alert_deliveries (notification_id);

create table alert_delivery_attempts (
  id           bigserial primary key,
  delivery_id  bigint not null references alert_deliveries (id) on delete cascade,
  attempt      int not null,
  started_at   timestamptz not null,
  duration_ms  int not null,
  ok           boolean not null,
  status_code  int,
  error        text
);
create index alert_delivery_attempts_delivery_idx on alert_delivery_attempts (delivery_id);
