-- receipts loses its partial index on (customer_id, ts).
--
-- Nothing looks receipts up by customer: the dashboard reads customer_stats, and the only reader
-- of customers' receipts is churn training (models/churn_features.ts), which reads all of them in
-- (customer, time) order once per run. Without the index that read sorts instead: 1.1–1.5 s
-- against 0.8–0.9 s for 500,000 customer receipts. Every batch of the stream workers paid for it:
-- an index entry for half of the receipts, 2–3 µs of PostgreSQL per receipt at the maximum rate
-- (deno task bench pipeline, docs/benchmarks.md).
drop index receipts_customer_idx;
