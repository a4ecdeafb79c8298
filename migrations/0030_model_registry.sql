-- Model registry: every trained version with its parameters, training data range, backtest
-- metrics and status; tfjs artifacts stored beside it; an audit trail of promotions.

create table model_versions (
  name        text not null,                 -- forecast | anomaly | demand | churn
  version     int not null,
  status      text not null default 'candidate'
              check (status in ('candidate', 'active', 'retired')),
  params      jsonb not null default '{}',
  data_from   timestamptz,
  data_to     timestamptz,
  metrics     jsonb not null default '{}',     -- {"primary": {...}, "baseline": {...}, ...}
  trained_by  text not null,
  created_at  timestamptz not null default now(),
  promoted_at timestamptz,                     -- last time it became active
  primary key (name, version)
);
-- At most one active version per model.
create unique index model_versions_one_active on model_versions (name) where status = 'active';

-- tfjs layers artifacts (model.json topology + one weights blob), saved through an IOHandler.
create table model_artifacts (
  name          text not null,
  version       int not null,
  topology      jsonb not null,
  weight_specs  jsonb not null,
  weight_data   bytea not null,
  extra         jsonb not null default '{}',   -- non-tfjs state (scalers, vocabularies, calibration)
  saved_at      timestamptz not null default now(),
  primary key (name, version),
  foreign key (name, version) references model_versions (name, version) on delete cascade
);

-- Who changed which version's status, when and why (forced promotions included).
create table model_events (
  id        bigserial primary key,
  name      text not null,
  version   int,
  action    text not null,   -- register | promote | promote_forced | refuse | rollback | retire
  actor     text not null,
  reason    text,
  details   jsonb not null default '{}',
  at        timestamptz not null default now()
);
create index model_events_name_idx on model_events (name, at);

-- Holidays and promotions used as forecast features. store_id null = every store.
create table model_calendar (
  day       date not null,
  store_id  text,
  kind      text not null check (kind in ('holiday', 'promotion')),
  name      text not null default ''
);
create unique index model_calendar_once_idx on model_calendar (day, coalesce(store_id, ''), kind);
