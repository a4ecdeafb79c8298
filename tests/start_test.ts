import assert from "node:assert/strict";
import { testDb, testRedis, waitFor } from "../lib/testing/services.ts";
import { DENO_RUN } from "../lib/testing/deno_run.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

Deno.test("start - one command runs the roles, serves the status page, and stops gracefully on SIGTERM", async () => {
  await using db = await testDb("start", { migrated: false });
  await using r = await testRedis("start");
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, "main.ts", "start"],
    cwd: new URL("..", import.meta.url).pathname,
    env: {
      DATABASE_URL: db.url,
      REDIS_URL: r.url,
      TILLSTREAM_KEY_PREFIX: r.prefix,
      PORT: String(port),
      TILLSTREAM_HOST: "127.0.0.1",
      TILLSTREAM_SIMULATOR: "off",
      TILLSTREAM_LOCAL_SERVICES: "off",
      TILLSTREAM_LOG_LEVEL: "warn",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
  ]);
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, {
      ms: 60_000,
      what: "the started system to be ready",
    });
    const status = await (await fetch(`${base}/status`)).text();
    assert.match(status, /PostgreSQL/);
    assert.match(status, new RegExp(db.name));
    assert.match(status, /Redis/);
    const [{ n }] = await db.sql`select count(*)::int as n from schema_migrations`;
    assert.ok(n >= 2, "migrations applied automatically at start");
  } finally {
    child.kill("SIGTERM");
  }
  const { code } = await child.status;
  const [stdout, stderr] = await output;
  assert.equal(code, 0, `exit code 0 after SIGTERM; stderr:\n${stderr}`);
  assert.match(stdout, /Tillstream is up: http:\/\/127\.0\.0\.1:\d+/);
});

Deno.test("start - a bad configuration fails fast with the variable named", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, "main.ts", "web"],
    cwd: new URL("..", import.meta.url).pathname,
    env: { PORT: "not-a-port" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  const err = new TextDecoder().decode(out.stderr);
  assert.match(err, /PORT="not-a-port" is not valid/);
  assert.doesNotMatch(err, /at .*\.ts:\d+/, "no stack trace for a configuration error");
});
