-- The customers page's segment sizes, written with the scores they summarise (models/churn.ts,
-- in the same transaction). The page used to count and average every score on each view:
-- 30–195 ms for 98,500 scored customers in the demo, growing with the customer base.
create table churn_segments (
  segment          text primary key,
  customers        int not null,
  avg_probability  double precision not null
);
insert into churn_segments
select segment, count(*), avg(probability) from churn_scores group by segment;
