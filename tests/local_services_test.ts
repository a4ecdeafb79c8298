import assert from "node:assert/strict";
import { listening } from "../lib/services.ts";
import { waitFor } from "../lib/testing/services.ts";
import { DENO_RUN } from "../lib/testing/deno_run.ts";

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function installed(cmd: string): Promise<boolean> {
  const out = await new Deno.Command("bash", {
    args: ["-c", `command -v ${cmd} || ls /usr/lib/postgresql/*/bin/${cmd}`],
    stdout: "null",
    stderr: "null",
  }).output();
  return out.success;
}

Deno.test({
  name:
    "local services - with nothing listening, start launches private PostgreSQL and Redis and stops them on exit",
  ignore: !(await installed("redis-server")) || !(await installed("initdb")),
  async fn() {
    const dataDir = await Deno.makeTempDir({ prefix: "ts_local_services_" });
    const [pgPort, redisPort, webPort] = [freePort(), freePort(), freePort()];
    const child = new Deno.Command(Deno.execPath(), {
      args: [...DENO_RUN, "main.ts", "start"],
      cwd: new URL("..", import.meta.url).pathname,
      env: {
        DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/tillstream`,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        TILLSTREAM_DATA_DIR: dataDir,
        PORT: String(webPort),
        TILLSTREAM_HOST: "127.0.0.1",
        TILLSTREAM_SIMULATOR: "off",
        TILLSTREAM_LOG_LEVEL: "warn",
      },
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    try {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${webPort}/readyz`)).status === 200,
        {
          ms: 90_000,
          every: 200,
          what: "the system on private services to be ready",
        },
      );
      assert.ok(await listening("127.0.0.1", pgPort), "private PostgreSQL listens");
      assert.ok(await listening("127.0.0.1", redisPort), "private Redis listens");
      await Deno.stat(`${dataDir}/pg-${pgPort}/PG_VERSION`);
    } finally {
      child.kill("SIGTERM");
    }
    const { code } = await child.status;
    assert.equal(code, 0, await stderr);
    assert.equal(await listening("127.0.0.1", pgPort), false, "private PostgreSQL stopped");
    assert.equal(await listening("127.0.0.1", redisPort), false, "private Redis stopped");
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  },
});

Deno.test("local services - without the server installed, the error names the Debian package and docker compose", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, "main.ts", "migrate"],
    cwd: new URL("..", import.meta.url).pathname,
    env: {
      PATH: "/nonexistent",
      REDIS_URL: `redis://127.0.0.1:${freePort()}`,
      TILLSTREAM_DATA_DIR: await Deno.makeTempDir({ prefix: "ts_local_services_" }),
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  const err = new TextDecoder().decode(out.stderr);
  assert.match(err, /redis-server is not installed/);
  assert.match(err, /apt-get install -y redis-server/);
  assert.match(err, /docker compose up -d redis/);
});
