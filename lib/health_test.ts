import assert from "node:assert/strict";
import { createApp } from "./web/app.ts";
import { stopBundler } from "./web/bundle.ts";
import { connect } from "./db.ts";
import { connectRedis } from "./redis.ts";
import { testRuntime, waitFor } from "./testing/services.ts";
import { tcpProxy } from "./testing/tcp_proxy.ts";

Deno.test("health - /healthz answers without touching dependencies", async () => {
  await using rt = await testRuntime("healthz");
  const app = await createApp(rt);
  await stopBundler();
  const res = await app.request("/healthz");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { ok: true });
});

Deno.test("health - /readyz is green with services up and reports the TimeSeries module", async () => {
  await using rt = await testRuntime("readyz");
  const app = await createApp(rt);
  await stopBundler();
  const res = await app.request("/readyz");
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.ready, true);
  assert.equal(body.postgres.ok, true);
  assert.deepEqual(body.postgres.migrations.pending, []);
  assert.equal(body.redis.ok, true);
  assert.equal(typeof body.redis.timeseries, "boolean");
  assert.equal(body.redis.timeseries, rt.timeSeries);
});

Deno.test("health - PostgreSQL going away turns /readyz red with the reason, and it recovers", async () => {
  await using rt = await testRuntime("readyz_pg");
  // The app reaches PostgreSQL through a proxy we can cut, so the shared server stays up.
  await using proxy = tcpProxy({ hostname: "127.0.0.1", port: 5432 });
  const url = new URL(rt.db.url);
  url.host = `127.0.0.1:${proxy.port}`;
  const sql = connect(url.toString(), { max: 2 });
  const app = await createApp({ ...rt, sql });
  await stopBundler();
  try {
    assert.equal((await app.request("/readyz")).status, 200);
    await proxy.down();
    const red = await app.request("/readyz");
    assert.equal(red.status, 503);
    const body = await red.json();
    assert.equal(body.ready, false);
    assert.match(body.postgres.error, /PostgreSQL unreachable/);
    assert.equal(body.redis.ok, true, "Redis is unaffected");
    proxy.up();
    await waitFor(async () => (await app.request("/readyz")).status === 200, {
      ms: 10_000,
      what: "/readyz to turn green after PostgreSQL returns",
    });
  } finally {
    await sql.end({ timeout: 1 });
  }
});

Deno.test("health - Redis going away turns /readyz red, and it recovers", async () => {
  await using rt = await testRuntime("readyz_redis");
  await using proxy = tcpProxy({ hostname: "127.0.0.1", port: 6379 });
  const redis = connectRedis(`redis://127.0.0.1:${proxy.port}`);
  const app = await createApp({ ...rt, redis });
  await stopBundler();
  try {
    assert.equal((await app.request("/readyz")).status, 200);
    await proxy.down();
    const red = await app.request("/readyz");
    assert.equal(red.status, 503);
    assert.match((await red.json()).redis.error, /Redis unreachable/);
    proxy.up();
    await waitFor(async () => (await app.request("/readyz")).status === 200, {
      ms: 10_000,
      what: "/readyz to turn green after Redis returns",
    });
  } finally {
    redis.disconnect();
  }
});
