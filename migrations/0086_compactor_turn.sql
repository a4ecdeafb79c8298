-- One compaction per TILLSTREAM_COMPACT_MS per database, however many worker processes run a
-- compactor (pipeline/compact.ts). Each process's compactor wakes every interval; until now the
-- advisory lock only kept two from folding at the same moment, so N processes folded the hours
-- and days N times as often, at N times the cost (each compaction rewrites every bucket it
-- touches, whatever its number of deltas). The one whose turn it is stamps this row, under the
-- same advisory lock; the others find it stamped less than an interval ago and skip. Stamped
-- with the database's clock, so the hosts' clocks need not agree.
create table compactor_turn (
  only_row boolean primary key default true check (only_row),
  started_at timestamptz not null
);
insert into compactor_turn (started_at) values ('-infinity');
