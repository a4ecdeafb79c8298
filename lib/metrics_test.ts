import assert from "node:assert/strict";
import { createMetrics, renderMetrics } from "./metrics.ts";
import { keysFor, WORKER_GROUP } from "./keys.ts";
import { connectRedis } from "./redis.ts";
import { testRedis } from "./testing/services.ts";

Deno.test("metrics - lag per partition and DLQ size come from Redis at scrape time", async () => {
  await using r = await testRedis("metrics");
  const rt = { redis: r.redis, keys: r.keys, partitions: 2 };
  const s0 = r.keys.stream("sales", 0);
  for (let i = 0; i < 5; i++) await r.redis.xadd(s0, "*", "e", String(i));
  await r.redis.xgroup("CREATE", s0, WORKER_GROUP, "0");
  // 2 delivered and unacked (pending), 3 undelivered: 5 not yet acknowledged.
  await r.redis.xreadgroup("GROUP", WORKER_GROUP, "c1", "COUNT", 2, "STREAMS", s0, ">");
  const s1 = r.keys.stream("sales", 1);
  await r.redis.xadd(s1, "*", "e", "x"); // no group yet: everything is behind
  await r.redis.xadd(r.keys.dlq, "*", "reason", "bad");
  await r.redis.xadd(r.keys.dlq, "*", "reason", "worse");

  const m = createMetrics();
  m.batchSize.observe({ family: "sales" }, 2);
  m.eventsProcessed.inc({ family: "sales" }, 2);
  m.lateEvents.inc({ family: "sales" });
  m.duplicateEvents.inc(3);
  const { body, contentType } = await renderMetrics(rt, m);
  assert.match(contentType, /^text\/plain; version=0\.0\.4/);
  assert.match(body, /tillstream_pipeline_lag\{family="sales",partition="0"\} 5\n/);
  assert.match(body, /tillstream_pipeline_lag\{family="sales",partition="1"\} 1\n/);
  assert.match(body, /tillstream_pipeline_lag\{family="inventory",partition="1"\} 0\n/);
  assert.match(body, /tillstream_dlq_size 2\n/);
  assert.match(body, /tillstream_batch_size_count\{family="sales"\} 1\n/);
  assert.match(body, /tillstream_events_processed_total\{family="sales"\} 2\n/);
  assert.match(body, /tillstream_late_events_total\{family="sales"\} 1\n/);
  assert.match(body, /tillstream_duplicate_events_total 3\n/);
  assert.match(body, /tillstream_process_resident_memory_bytes \d+/);
  assert.match(body, /tillstream_process_heap_used_bytes \d+/);
  assert.match(body, /tillstream_process_external_memory_bytes \d+/);
  assert.match(body, /tillstream_redis_up 1\n/);

  await r.redis.xack(
    s0,
    WORKER_GROUP,
    ...(await r.redis.xrange(s0, "-", "+", "COUNT", 2)).map(([id]) => id),
  );
  const again = await renderMetrics(rt, m);
  assert.match(again.body, /tillstream_pipeline_lag\{family="sales",partition="0"\} 3\n/);
});

Deno.test("metrics - a scrape with Redis down answers at once with redis_up 0", async () => {
  const down = connectRedis("redis://127.0.0.1:1");
  try {
    const m = createMetrics();
    const { body } = await renderMetrics({ redis: down, keys: keysFor("x:"), partitions: 1 }, m);
    assert.match(body, /tillstream_redis_up 0\n/);
  } finally {
    down.disconnect();
  }
});
