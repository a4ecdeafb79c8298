-- The simulator writes a label when an injected anomaly starts; a rerun with the same seed
-- (or a restart within the same hour) must not label it twice.
create unique index anomaly_labels_once on anomaly_labels (kind, store_id, starts_at);
