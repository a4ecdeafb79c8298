import assert from "node:assert/strict";
import { testRedis } from "../lib/testing/services.ts";
import { compareIds, nextId, pruneConsumers, safeTrimPoint, trimStreams } from "./trim.ts";

Deno.test("trim - ids compare numerically and step to the next sequence", () => {
  assert.equal(compareIds("10-0", "9-5"), 1);
  assert.equal(compareIds("5-2", "5-10"), -1);
  assert.equal(compareIds("5-2", "5-2"), 0);
  assert.equal(nextId("1700000000000-41"), "1700000000000-42");
});

Deno.test("trim - removes only what every group acknowledged, never pending or undelivered", async () => {
  await using r = await testRedis("trim");
  const s = `${r.prefix}pos:sales:{0}`;
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push(await r.redis.xadd(s, "*", "e", String(i)) as string);
  assert.equal(await safeTrimPoint(r.redis, s), null, "no group: nothing is safe to trim");
  await r.redis.call("XGROUP", "CREATE", s, "workers", "0");
  await r.redis.call("XGROUP", "CREATE", s, "audit", "0");
  // workers: read 6, ack all but the 3rd; audit: read 8, ack all.
  await r.redis.call("XREADGROUP", "GROUP", "workers", "a", "COUNT", 6, "STREAMS", s, ">");
  await r.redis.xack(s, "workers", ...ids.slice(0, 6).filter((_, i) => i !== 2));
  await r.redis.call("XREADGROUP", "GROUP", "audit", "b", "COUNT", 8, "STREAMS", s, ">");
  await r.redis.xack(s, "audit", ...ids.slice(0, 8));
  assert.equal(await safeTrimPoint(r.redis, s), ids[2]);
  const removed = await trimStreams(r.redis, [s]);
  assert.equal(removed.get(s), 2);
  const left = (await r.redis.xrange(s, "-", "+")).map(([id]) => id);
  assert.deepEqual(left, ids.slice(2));
  // Once the pending entry is acknowledged, the bound is the slowest group's next entry.
  await r.redis.xack(s, "workers", ids[2]);
  await trimStreams(r.redis, [s]);
  assert.deepEqual((await r.redis.xrange(s, "-", "+")).map(([id]) => id), ids.slice(6));
});

Deno.test("trim - idle consumers with nothing pending are pruned, others kept", async () => {
  await using r = await testRedis("prune");
  const s = `${r.prefix}pos:sales:{0}`;
  const id = await r.redis.xadd(s, "*", "e", "x") as string;
  await r.redis.call("XGROUP", "CREATE", s, "workers", "0");
  await r.redis.call("XREADGROUP", "GROUP", "workers", "holder", "COUNT", 1, "STREAMS", s, ">");
  await r.redis.call("XGROUP", "CREATECONSUMER", s, "workers", "gone");
  assert.equal(await pruneConsumers(r.redis, s, "workers", 0), 1);
  const left = await r.redis.call("XINFO", "CONSUMERS", s, "workers") as unknown[][];
  assert.deepEqual(left.map((c) => c[1]), ["holder"]);
  assert.equal(await pruneConsumers(r.redis, `${r.prefix}missing`, "workers", 0), 0);
  await r.redis.xack(s, "workers", id);
});
