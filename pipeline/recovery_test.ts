import assert from "node:assert/strict";
import { testRedis } from "../lib/testing/services.ts";
import type { StreamEntry } from "./apply.ts";
import { commitIsolatingPoison, isPoisonError, keepingClaimed } from "./recovery.ts";
import { sleep } from "../lib/clock.ts";

const entry = (id: string): StreamEntry => ({
  stream: "s",
  id,
  family: "sales",
  partition: 0,
  payload: id,
});
const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });

Deno.test("recovery - data errors are poison; outages and JS errors are not", () => {
  assert.equal(isPoisonError(pgError("22003")), true);
  assert.equal(isPoisonError(pgError("23505")), true);
  for (const code of ["57P01", "08006", "40P01", "55000", "ECONNREFUSED", "CONNECTION_CLOSED"]) {
    assert.equal(isPoisonError(pgError(code)), false, code);
  }
  assert.equal(isPoisonError(new TypeError("x")), false);
});

Deno.test("recovery - bisection commits every good entry and dead-letters only the poison", async () => {
  const ids = Array.from({ length: 13 }, (_, i) => `${i + 1}-0`);
  const committed: string[] = [];
  const dead: string[] = [];
  let calls = 0;
  await commitIsolatingPoison(
    ids.map(entry),
    (batch) => {
      calls++;
      if (batch.some((e) => e.id === "5-0" || e.id === "11-0")) {
        return Promise.reject(pgError("22003"));
      }
      committed.push(...batch.map((e) => e.id));
      return Promise.resolve();
    },
    (e, reason) => {
      assert.match(reason, /refused this entry 3 times/);
      dead.push(e.id);
      return Promise.resolve();
    },
    3,
  );
  assert.deepEqual(dead, ["5-0", "11-0"]);
  assert.deepEqual(committed.sort(), ids.filter((i) => i !== "5-0" && i !== "11-0").sort());
  assert.ok(calls < 30, `bisection stays logarithmic (${calls} calls)`);
});

Deno.test("recovery - outage errors are rethrown, not bisected", async () => {
  let calls = 0;
  await assert.rejects(
    commitIsolatingPoison(
      ["1-0", "2-0"].map(entry),
      () => {
        calls++;
        return Promise.reject(pgError("57P01"));
      },
      () => Promise.reject(new Error("must not dead-letter")),
      3,
    ),
    /57P01/,
  );
  assert.equal(calls, 1);
});

Deno.test("recovery - a busy consumer keeps its entries: others cannot claim them", async () => {
  await using r = await testRedis("keep_claimed");
  const s = `${r.prefix}pos:sales:{0}`;
  const id = await r.redis.xadd(s, "*", "e", "x") as string;
  await r.redis.call("XGROUP", "CREATE", s, "workers", "0");
  await r.redis.call("XREADGROUP", "GROUP", "workers", "busy", "COUNT", 1, "STREAMS", s, ">");
  const stolen: unknown[] = [];
  await keepingClaimed(r.redis, "workers", "busy", [{ ...entry(id), stream: s }], 50, async () => {
    for (let i = 0; i < 6; i++) {
      await sleep(100);
      const [, got] = await r.redis.call("XAUTOCLAIM", s, "workers", "thief", 200, "0-0") as [
        string,
        unknown[],
      ];
      stolen.push(...got);
    }
  });
  assert.deepEqual(stolen, []);
  const [[, owner, , deliveries]] = await r.redis.call("XPENDING", s, "workers", "-", "+", 10) as [
    string,
    string,
    number,
    number,
  ][];
  assert.deepEqual([owner, deliveries], ["busy", 1]);
});
