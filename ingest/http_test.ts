import assert from "node:assert/strict";
import { handleEvents } from "./http.ts";
import { BODY_LIMITS } from "./body.ts";

import { createKey, KEY_CACHE_TTL_MS, revokeKey } from "../lib/connector_keys.ts";
import { addStore, DIRECTORY_TTL_MS } from "../lib/stores.ts";
import { decodeEvent } from "../lib/events.ts";
import { fixedClock } from "../lib/clock.ts";
import { partitionOf } from "../lib/keys.ts";
import { testRuntime, waitFor } from "../lib/testing/services.ts";
import { connectRedis, waitReady } from "../lib/redis.ts";
import { tcpProxy } from "../lib/testing/tcp_proxy.ts";
import { connect } from "../lib/db.ts";
import type { Runtime } from "../lib/runtime.ts";

const NOW = "2026-11-25T12:00:00Z";

function sale(tx: string, store = "s1", extra: Record<string, unknown> = {}) {
  return {
    type: "sale",
    transaction_id: tx,
    store_id: store,
    register_id: "r1",
    timestamp: "2026-11-25T11:59:00Z",
    currency: "EUR",
    payment: "card",
    lines: [{ sku: "A1", category: "food", quantity: 3, unit_price: "2.50", discount: "0.50" }],
    total: "7.00",
    ...extra,
  };
}

const clock = (rt: Runtime) => rt.clock as ReturnType<typeof fixedClock>;

async function setup(label: string, env: Record<string, string> = {}) {
  const rt = await testRuntime(label, { clock: fixedClock(NOW), env });
  for (const id of ["s1", "s2"]) {
    await addStore(rt.sql, { id, name: id, timezone: "Europe/Paris", currency: "EUR" });
  }
  const { key } = await createKey(rt.sql, { name: "all" });
  return { rt, key };
}

function post(
  rt: Runtime,
  key: string | null,
  body: BodyInit,
  type = "application/json",
  headers: Record<string, string> = {},
) {
  const h: Record<string, string> = { "content-type": type, ...headers };
  if (key) h.authorization = `Bearer ${key}`;
  return handleEvents(
    new Request("http://x/api/v1/events", { method: "POST", body, headers: h }),
    rt,
  );
}

async function streamed(rt: Runtime, store = "s1") {
  const entries = await rt.redis.xrange(
    rt.keys.stream("sales", partitionOf(store, rt.partitions)),
    "-",
    "+",
  );
  return entries.map(([, f]) => {
    const d = decodeEvent(f[1]);
    if (!d.ok || d.event.type !== "sale") throw new Error("bad entry");
    return d.event;
  });
}

Deno.test("http ingest - JSON array accepted, normalised into the stream", async () => {
  const { rt, key } = await setup("http_json");
  await using _ = rt;
  const res = await post(rt, key, JSON.stringify([sale("t1"), sale("t2", "s1", { junk: 1 })]));
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { accepted: 2, rejected: [] });
  const events = await streamed(rt);
  assert.deepEqual(events.map((e) => e.transaction_id), ["t1", "t2"]);
  assert.equal(events[0].total_cents, 700);
  assert.equal(events[0].lines[0].discount_cents, 50);
  assert.equal("junk" in events[1], false);
});

Deno.test("http ingest - NDJSON with blank lines and a broken line: partial acceptance", async () => {
  const { rt, key } = await setup("http_ndjson");
  await using _ = rt;
  const body = [
    JSON.stringify(sale("t1")),
    "",
    "{not json",
    JSON.stringify(sale("t2", "s1", { total: "9.99" })),
    JSON.stringify(sale("t3")) + "\r",
    "",
  ].join("\n");
  const res = await post(rt, key, body, "application/x-ndjson");
  assert.equal(res.status, 202);
  const out = await res.json();
  assert.equal(out.accepted, 2);
  assert.equal(out.rejected.length, 2);
  assert.equal(out.rejected[0].index, 1);
  assert.match(out.rejected[0].error, /^line 3 is not valid JSON/);
  assert.deepEqual(out.rejected[1], {
    index: 2,
    status: 400,
    error:
      "total: 9.99 does not equal the sum of the lines (7.00 = quantity × unit_price − discount per line); fix the total or the lines",
  });
  assert.deepEqual((await streamed(rt)).map((e) => e.transaction_id), ["t1", "t3"]);
});

Deno.test("http ingest - 400 when nothing is valid, with per-event errors", async () => {
  const { rt, key } = await setup("http_400");
  await using _ = rt;
  const res = await post(
    rt,
    key,
    JSON.stringify([
      sale("t1", "nowhere"),
      { type: "sale" },
      42,
      sale("t4", "s1", { timestamp: "2026-11-25T12:30:00Z" }),
    ]),
  );
  assert.equal(res.status, 400);
  const out = await res.json();
  assert.equal(out.accepted, 0);
  assert.deepEqual(out.rejected.map((r: { index: number }) => r.index), [0, 1, 2, 3]);
  assert.match(
    out.rejected[0].error,
    /^store_id: unknown store "nowhere"; register it first with: deno task stores add --id nowhere/,
  );
  assert.match(out.rejected[1].error, /transaction_id: is required/);
  assert.equal(out.rejected[2].error, 'expected a JSON object with a "type" field, got 42');
  assert.match(out.rejected[3].error, /^timestamp: is 30 minutes in the future/);
  const broken = await post(rt, key, "[{", "application/json");
  assert.equal(broken.status, 400);
  assert.match((await broken.json()).error, /^body is not valid JSON/);
  const notArray = await post(rt, key, JSON.stringify(sale("t1")));
  assert.equal(notArray.status, 400);
  assert.match((await notArray.json()).error, /^expected a JSON array of events/);
  const empty = await post(rt, key, "[]");
  assert.equal(empty.status, 400);
  assert.equal((await empty.json()).error, "the request holds no events; send at least one");
  assert.equal((await streamed(rt)).length, 0);
});

Deno.test("http ingest - 401 without a valid key; revocation takes effect within seconds", async () => {
  const { rt, key } = await setup("http_401");
  await using _ = rt;
  const body = JSON.stringify([sale("t1")]);
  const none = await post(rt, null, body);
  assert.equal(none.status, 401);
  assert.match(
    (await none.json()).error,
    /^missing connector key: send "Authorization: Bearer tsk_/,
  );
  const wrong = await post(rt, "tsk_nottherightone", body);
  assert.equal(wrong.status, 401);
  assert.equal(
    (await wrong.json()).error,
    "unknown or revoked connector key; list keys with: deno task keys list",
  );
  const made = await createKey(rt.sql, { name: "temp" });
  assert.equal((await post(rt, made.key, body)).status, 202); // now cached as valid
  assert.equal(await revokeKey(rt.sql, made.id), true);
  assert.equal(await revokeKey(rt.sql, made.id), false);
  // Still cached: a revoked key works until the cache entry ages out, then never again.
  assert.equal((await post(rt, made.key, body)).status, 202);
  clock(rt).advance(KEY_CACHE_TTL_MS);
  assert.equal((await post(rt, made.key, body)).status, 401);
  assert.equal((await post(rt, key, body)).status, 202);
});

Deno.test("http ingest - 403 per event for stores the key may not write", async () => {
  const { rt } = await setup("http_403");
  await using _ = rt;
  const { key, id } = await createKey(rt.sql, { name: "s1 only", stores: ["s1"] });
  const mixed = await post(rt, key, JSON.stringify([sale("t1", "s1"), sale("t2", "s2")]));
  assert.equal(mixed.status, 202);
  assert.deepEqual(await mixed.json(), {
    accepted: 1,
    rejected: [{
      index: 1,
      status: 403,
      error:
        `store_id: connector key ${id} may not write store s2; use a key created with --store s2`,
    }],
  });
  const only = await post(rt, key, JSON.stringify([sale("t3", "s2")]));
  assert.equal(only.status, 403);
  assert.equal((await only.json()).rejected[0].status, 403);
});

Deno.test("http ingest - 413 by Content-Length, by bytes read and by event count", async () => {
  const { rt, key } = await setup("http_413");
  await using _ = rt;
  const declared = await post(rt, key, "[]", "application/json", {
    "content-length": String(BODY_LIMITS.maxBytes + 1),
  });
  // Request may drop a content-length it cannot honour; either way a big body must be refused.
  assert.equal(declared.status, 413);
  const big = JSON.stringify([sale("t1", "s1", { pad: "x".repeat(BODY_LIMITS.maxBytes) })]);
  const chunked = new ReadableStream<Uint8Array>({
    start(c) {
      const bytes = new TextEncoder().encode(big);
      for (let i = 0; i < bytes.length; i += 65536) c.enqueue(bytes.subarray(i, i + 65536));
      c.close();
    },
  });
  const tooBig = await post(rt, key, chunked);
  assert.equal(tooBig.status, 413);
  assert.match((await tooBig.json()).error, /larger than 5242880 bytes/);
  const many = Array.from({ length: BODY_LIMITS.maxEvents + 1 }, () => ({}));
  const tooMany = await post(rt, key, JSON.stringify(many));
  assert.equal(tooMany.status, 413);
  assert.match((await tooMany.json()).error, /more than 10000 events/);
  const manyLines = "{}\n".repeat(BODY_LIMITS.maxEvents + 1);
  assert.equal((await post(rt, key, manyLines, "application/x-ndjson")).status, 413);
  const exactly = "{}\n".repeat(BODY_LIMITS.maxEvents);
  assert.equal((await post(rt, key, exactly, "application/x-ndjson")).status, 400);
});

Deno.test("http ingest - 415 for other content types", async () => {
  const { rt, key } = await setup("http_415");
  await using _ = rt;
  const res = await post(rt, key, "a,b", "text/csv");
  assert.equal(res.status, 415);
  assert.match(
    (await res.json()).error,
    /^unsupported Content-Type "text\/csv"; use application\/json/,
  );
  const ok = await post(rt, key, JSON.stringify([sale("t1")]), "application/json; charset=utf-8");
  assert.equal(ok.status, 202);
});

Deno.test("http ingest - 503 with Retry-After when the backlog passes the limit", async () => {
  const { rt, key } = await setup("http_503", { TILLSTREAM_BACKLOG_LIMIT: "3" });
  await using _ = rt;
  const first = await post(rt, key, JSON.stringify([1, 2, 3, 4].map((i) => sale(`t${i}`))));
  assert.equal(first.status, 202);
  // A fresh runtime view so the cached backlog reading is not reused.
  const { resetBackpressure } = await import("./backlog.ts");
  resetBackpressure(rt);
  const res = await post(rt, key, JSON.stringify([sale("t9")]));
  assert.equal(res.status, 503);
  assert.ok(Number(res.headers.get("retry-after")) >= 1);
  assert.match(
    (await res.json()).error,
    /^ingest is paused: 4 sales events are waiting for workers \(limit 3\)/,
  );
  assert.equal((await streamed(rt)).length, 4);
});

Deno.test("http ingest - a resent receipt is accepted again (workers count it once)", async () => {
  const { rt, key } = await setup("http_resend");
  await using _ = rt;
  const body = JSON.stringify([sale("t1"), sale("t1")]);
  assert.equal((await post(rt, key, body)).status, 202);
  assert.equal((await post(rt, key, body)).status, 202);
  assert.equal((await streamed(rt)).length, 4);
});

Deno.test("http ingest - keeps accepting from caches while PostgreSQL is unreachable", async () => {
  const { rt, key } = await setup("http_pg_down");
  await using _ = rt;
  const u = new URL(rt.db.url);
  await using proxy = tcpProxy({ hostname: u.hostname, port: Number(u.port || 5432) });
  u.port = String(proxy.port);
  const sql = connect(u.toString(), { max: 2 });
  try {
    const viaProxy: Runtime = { ...rt, sql };
    assert.equal((await post(viaProxy, key, JSON.stringify([sale("t1")]))).status, 202);
    await proxy.down();
    clock(rt).advance(Math.max(KEY_CACHE_TTL_MS, DIRECTORY_TTL_MS));
    const res = await post(viaProxy, key, JSON.stringify([sale("t2"), sale("t3", "s9")]));
    assert.equal(res.status, 202);
    assert.equal((await res.json()).accepted, 1);
    // A key never seen before cannot be checked: 503, not 401 or 500.
    const fresh = await createKey(rt.sql, { name: "new" });
    const unknown = await post(viaProxy, fresh.key, JSON.stringify([sale("t4")]));
    assert.equal(unknown.status, 503);
    assert.equal(unknown.headers.get("retry-after"), "5");
    assert.match((await unknown.json()).error, /^connector keys cannot be checked/);
    assert.deepEqual((await streamed(rt)).map((e) => e.transaction_id), ["t1", "t2"]);
  } finally {
    await sql.end({ timeout: 1 });
  }
});

Deno.test("http ingest - 503 at once while Redis is unreachable, 202 when it is back", async () => {
  const { rt, key } = await setup("http_redis_down");
  await using _ = rt;
  const port = Number(new URL(rt.r.url).port || 6379);
  await using proxy = tcpProxy({ hostname: "127.0.0.1", port });
  const redis = connectRedis(`redis://127.0.0.1:${proxy.port}`, { name: "test-proxy" });
  try {
    await waitReady(redis);
    const viaProxy: Runtime = { ...rt, redis };
    const body = JSON.stringify([sale("t1")]);
    assert.equal((await post(viaProxy, key, body)).status, 202);
    await proxy.down();
    await waitFor(() => redis.status !== "ready", { what: "the client to notice" });
    const res = await post(viaProxy, key, body);
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "5");
    assert.match((await res.json()).error, /^the event store \(Redis\) is unavailable; retry/);
    proxy.up();
    await waitReady(redis, 10_000);
    assert.equal((await post(viaProxy, key, body)).status, 202);
    assert.equal((await streamed(rt)).length, 2);
  } finally {
    redis.disconnect();
  }
});
