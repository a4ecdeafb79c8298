import assert from "node:assert/strict";
import {
  countDeadLetters,
  deadLetter,
  getDeadLetter,
  listDeadLetters,
  purgeDeadLetters,
  replayAll,
  replayDeadLetter,
} from "./dlq.ts";
import { dlqCommand } from "../cli/dlq.ts";
import { fixedClock } from "../lib/clock.ts";
import { testRuntime } from "../lib/testing/services.ts";

const AT = "2026-11-25T12:00:00.000Z";

Deno.test("dlq - deadLetter records reason, source, entry id, payload and time", async () => {
  await using rt = await testRuntime("dlq_record", { clock: fixedClock(AT) });
  const stream = rt.keys.stream("sales", 1);
  const id = await deadLetter(rt, {
    reason: "decode: payload is not valid JSON",
    stream,
    id: "1-0",
    payload: "{oops",
  });
  assert.deepEqual(await getDeadLetter(rt, id), {
    id,
    reason: "decode: payload is not valid JSON",
    stream,
    entry_id: "1-0",
    payload: "{oops",
    at: AT,
  });
  assert.equal(await getDeadLetter(rt, "1-0"), null);
  await assert.rejects(getDeadLetter(rt, "nope"), /"nope" is not a dead-letter id; ids look like/);
  const shown = await dlqCommand(rt, ["show", id]);
  assert.match(shown, /reason: {3}decode: payload is not valid JSON/);
  const listed = await dlqCommand(rt, ["list"]);
  assert.match(listed.split("\n")[0], /^ID\s+AT\s+STREAM\s+ENTRY_ID\s+REASON$/);
  assert.equal(JSON.parse(await dlqCommand(rt, ["list", "--json"]))[0].id, id);
});

Deno.test("dlq - replay one puts the payload back on its stream and removes it", async () => {
  await using rt = await testRuntime("dlq_replay");
  const stream = rt.keys.stream("inventory", 0);
  const id = await deadLetter(rt, { reason: "db down", stream, id: "5-0", payload: '{"x":1}' });
  const newId = await replayDeadLetter(rt, id);
  const entries = await rt.redis.xrange(stream, "-", "+");
  assert.deepEqual(entries, [[newId, ["e", '{"x":1}']]]);
  assert.equal(await countDeadLetters(rt), 0);
  await assert.rejects(replayDeadLetter(rt, id), /no dead letter/);
});

Deno.test("dlq - replay --all, refusing unknown streams with undecodable payloads", async () => {
  await using rt = await testRuntime("dlq_replay_all");
  const s0 = rt.keys.stream("sales", 0);
  for (let i = 0; i < 3; i++) {
    await deadLetter(rt, { reason: "r", stream: s0, id: `${i}-0`, payload: `p${i}` });
  }
  await deadLetter(rt, { reason: "r", stream: "elsewhere", id: "9-0", payload: "junk" });
  const r = await replayAll(rt);
  assert.equal(r.replayed, 3);
  assert.equal(r.failed.length, 1);
  assert.match(r.failed[0].error, /came from elsewhere, which is not an event stream/);
  assert.deepEqual((await rt.redis.xrange(s0, "-", "+")).map(([, f]) => f[1]), ["p0", "p1", "p2"]);
  assert.equal(await countDeadLetters(rt), 1);
  await assert.rejects(
    dlqCommand(rt, ["replay", "--all"]),
    /1 dead letter\(s\) could not be replayed/,
  );
});

Deno.test("dlq - purge removes entries recorded before the time", async () => {
  await using rt = await testRuntime("dlq_purge");
  const s = rt.keys.stream("sales", 0);
  const old = await deadLetter(rt, { reason: "r", stream: s, id: "1-0", payload: "a" });
  const cut = Number(old.split("-")[0]) + 1;
  // Entries added at a later Redis millisecond survive the purge.
  await rt.redis.xadd(rt.keys.dlq, `${cut + 10}-0`, "reason", "r", "stream", s, "payload", "b");
  assert.equal(await purgeDeadLetters(rt, cut), 1);
  assert.deepEqual((await listDeadLetters(rt)).map((d) => d.payload), ["b"]);
  assert.equal(
    await dlqCommand(rt, ["purge", "--before", new Date(cut + 11).toISOString()]),
    `purged 1 dead letter(s) recorded before ${new Date(cut + 11).toISOString()}`,
  );
  assert.equal(await dlqCommand(rt, ["list"]), "the dead-letter queue is empty");
  await assert.rejects(
    dlqCommand(rt, ["purge", "--before", "yesterday"]),
    /is not a time; use ISO-8601/,
  );
  await assert.rejects(dlqCommand(rt, ["replay"]), /needs either one id or --all/);
});
