/**
 * Set-up before the test suite, so `deno task test` works on a fresh Debian machine:
 * Chromium for the browser tests (installed from Debian when running as root), and PostgreSQL
 * and Redis on 127.0.0.1 (started with the machine's own service commands when down).
 */
import { listening } from "../lib/services.ts";
import { CHROMIUM_PATH } from "../lib/testing/browser.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function sh(cmd: string): Promise<boolean> {
  const out = await new Deno.Command("bash", {
    args: ["-c", cmd],
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  return out.success;
}

async function waitFor(host: string, port: number, what: string) {
  for (let i = 0; i < 100; i++) {
    if (await listening(host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} is still not listening on ${host}:${port}`);
}

const root = Deno.uid?.() === 0;
const problems: string[] = [];

if (!(await exists(CHROMIUM_PATH))) {
  if (root && await exists("/usr/bin/apt-get")) {
    console.error("test setup: installing Chromium from Debian (apt-get install chromium)…");
    const ok = await sh(
      "export DEBIAN_FRONTEND=noninteractive; apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null",
    );
    if (!ok) problems.push("apt-get install chromium failed; install it by hand and re-run");
  } else {
    problems.push(
      `Chromium is missing at ${CHROMIUM_PATH}: run "sudo apt-get install -y chromium" or set CHROMIUM_PATH`,
    );
  }
}

const testRedis = Deno.env.get("TEST_REDIS_URL");
if (!testRedis && !(await listening("127.0.0.1", 6379))) {
  if (await sh("command -v redis-server >/dev/null")) {
    console.error("test setup: starting redis-server on 127.0.0.1:6379");
    await sh('redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no');
    await waitFor("127.0.0.1", 6379, "redis-server");
  } else {problems.push(
      'Redis is not running and not installed: "sudo apt-get install -y redis-server"',
    );}
}

const testPg = Deno.env.get("TEST_DATABASE_URL");
if (!testPg && !(await listening("127.0.0.1", 5432))) {
  if (
    await sh("command -v pg_ctlcluster >/dev/null && ls /etc/postgresql/*/main >/dev/null 2>&1")
  ) {
    console.error("test setup: starting PostgreSQL with pg_ctlcluster");
    await sh(
      'pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start',
    );
    await waitFor("127.0.0.1", 5432, "PostgreSQL");
  } else {
    problems.push(
      'PostgreSQL is not running on 127.0.0.1:5432: "sudo apt-get install -y postgresql" (trust auth for role postgres on 127.0.0.1) or set TEST_DATABASE_URL',
    );
  }
}

if (problems.length) {
  console.error(`test setup failed:\n  ${problems.join("\n  ")}`);
  Deno.exit(1);
}
