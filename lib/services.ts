/**
 * Local defaults: with no DATABASE_URL / REDIS_URL a developer machine uses PostgreSQL and Redis
 * on 127.0.0.1. If nothing listens there but the server binaries are installed, private
 * instances are started under the data directory and stopped on exit; if they are not
 * installed, the error names the Debian packages (or the docker-compose alternative).
 */
import { log } from "./log.ts";
import type { Config } from "./config.ts";
import { VARS } from "./config.ts";

/** A service process started by Tillstream, stopped with `stop()`. */
export interface LocalService {
  name: string;
  stop(): Promise<void>;
}

/** True when something accepts TCP connections on host:port. */
export async function listening(hostname: string, port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname, port });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

async function which(cmd: string, extra: string[] = []): Promise<string | null> {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":"), ...extra];
  for (const d of dirs) {
    try {
      const p = `${d}/${cmd}`;
      const st = await Deno.stat(p);
      if (st.isFile) return p;
    } catch { /* keep looking */ }
  }
  return null;
}

async function pgBinDirs(): Promise<string[]> {
  const dirs: string[] = [];
  try {
    for await (const e of Deno.readDir("/usr/lib/postgresql")) {
      dirs.push(`/usr/lib/postgresql/${e.name}/bin`);
    }
  } catch { /* not Debian-packaged */ }
  return dirs.sort().reverse();
}

async function waitListening(host: string, port: number, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await listening(host, port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start listening on ${host}:${port} within ${ms} ms`);
}

const isRoot = () => Deno.uid?.() === 0;

async function run(cmd: string[], asUser?: string): Promise<void> {
  const argv = asUser ? ["runuser", "-u", asUser, "--", ...cmd] : cmd;
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  if (!out.success) {
    throw new Error(`${cmd.join(" ")} failed: ${new TextDecoder().decode(out.stderr).trim()}`);
  }
}

async function startRedis(dataDir: string): Promise<LocalService> {
  const bin = await which("redis-server");
  if (!bin) {
    throw new Error(
      "Nothing listens on 127.0.0.1:6379 and redis-server is not installed. Install it with " +
        "`sudo apt-get install -y redis-server`, set REDIS_URL to your Redis, or run `docker compose up -d redis`.",
    );
  }
  const dir = `${dataDir}/redis`;
  await Deno.mkdir(dir, { recursive: true });
  const child = new Deno.Command(bin, {
    args: [
      "--bind",
      "127.0.0.1",
      "--port",
      "6379",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--save",
      "",
    ],
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  await waitListening("127.0.0.1", 6379, 10_000, "redis-server");
  log.info("started private Redis", { dir });
  return {
    name: "redis",
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch { /* already gone */ }
      await child.status;
    },
  };
}

async function startPostgres(dataDir: string): Promise<LocalService> {
  const extra = await pgBinDirs();
  const initdb = await which("initdb", extra);
  const pgCtl = await which("pg_ctl", extra);
  if (!initdb || !pgCtl) {
    throw new Error(
      "Nothing listens on 127.0.0.1:5432 and PostgreSQL is not installed. Install it with " +
        "`sudo apt-get install -y postgresql`, set DATABASE_URL to your PostgreSQL, or run `docker compose up -d postgres`.",
    );
  }
  const dir = `${await Deno.realPath(".")}/${dataDir}/pg`;
  // PostgreSQL refuses to run as root; as root, the private cluster belongs to `postgres`.
  const user = isRoot() ? "postgres" : undefined;
  let fresh = false;
  try {
    await Deno.stat(`${dir}/PG_VERSION`);
  } catch {
    fresh = true;
    await Deno.mkdir(dir, { recursive: true });
    if (user) await run(["chown", "-R", user, dir]);
    await run([initdb, "-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8"], user);
  }
  await run([
    pgCtl,
    "-D",
    dir,
    "-l",
    `${dir}/server.log`,
    "-o",
    `-c listen_addresses=127.0.0.1 -c port=5432 -k ${dir}`,
    "-w",
    "start",
  ], user);
  log.info("started private PostgreSQL", { dir, fresh });
  return {
    name: "postgres",
    async stop() {
      await run([pgCtl, "-D", dir, "-m", "fast", "-w", "stop"], user).catch((e) =>
        log.warn("could not stop private PostgreSQL", { error: String(e) })
      );
    },
  };
}

/**
 * Makes sure the configured PostgreSQL and Redis are reachable, starting private local ones
 * when the configuration uses the local defaults and nothing listens there.
 */
export async function ensureLocalServices(config: Config): Promise<LocalService[]> {
  const started: LocalService[] = [];
  if (config.TILLSTREAM_LOCAL_SERVICES === "off") return started;
  const localPg = config.DATABASE_URL === VARS.DATABASE_URL.default;
  const localRedis = config.REDIS_URL === VARS.REDIS_URL.default;
  if (localRedis && !(await listening("127.0.0.1", 6379))) {
    started.push(await startRedis(config.TILLSTREAM_DATA_DIR));
  }
  if (localPg && !(await listening("127.0.0.1", 5432))) {
    started.push(await startPostgres(config.TILLSTREAM_DATA_DIR));
  }
  return started;
}
