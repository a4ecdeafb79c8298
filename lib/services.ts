/**
 * Local defaults: with no DATABASE_URL / REDIS_URL a developer machine uses PostgreSQL and Redis
 * on 127.0.0.1. If nothing listens there but the server binaries are installed, private
 * instances are started under the data directory and stopped on exit; if they are not
 * installed, the error names the Debian packages (or the docker-compose alternative).
 */
import { log } from "./log.ts";
import type { Config } from "./config.ts";

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

async function startRedis(dataDir: string, port: number): Promise<LocalService> {
  const bin = await which("redis-server");
  if (!bin) {
    throw new Error(
      `Nothing listens on 127.0.0.1:${port} and redis-server is not installed. Install it with ` +
        "`sudo apt-get install -y redis-server`, set REDIS_URL to your Redis, or run `docker compose up -d redis`.",
    );
  }
  const dir = `${dataDir}/redis-${port}`;
  await Deno.mkdir(dir, { recursive: true });
  const child = new Deno.Command(bin, {
    args: [
      "--bind",
      "127.0.0.1",
      "--port",
      String(port),
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
  await waitListening("127.0.0.1", port, 10_000, "redis-server");
  log.info("started private Redis", { dir, port });
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

async function startPostgres(dataDir: string, port: number): Promise<LocalService> {
  const extra = await pgBinDirs();
  const initdb = await which("initdb", extra);
  const pgCtl = await which("pg_ctl", extra);
  if (!initdb || !pgCtl) {
    throw new Error(
      `Nothing listens on 127.0.0.1:${port} and PostgreSQL is not installed. Install it with ` +
        "`sudo apt-get install -y postgresql`, set DATABASE_URL to your PostgreSQL, or run `docker compose up -d postgres`.",
    );
  }
  const base = dataDir.startsWith("/") ? dataDir : `${Deno.cwd()}/${dataDir}`;
  const dir = `${base}/pg-${port}`;
  // PostgreSQL refuses to run as root; as root, the private cluster belongs to `postgres`.
  const user = isRoot() ? "postgres" : undefined;
  let fresh = false;
  try {
    await Deno.stat(`${dir}/PG_VERSION`);
  } catch {
    fresh = true;
    await Deno.mkdir(dir, { recursive: true });
    if (user) {
      // The cluster's owner must reach its directory through the data dir.
      await Deno.chmod(base, 0o755);
      await run(["chown", "-R", user, dir]);
    }
    await run([initdb, "-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8"], user);
  }
  await run([
    pgCtl,
    "-D",
    dir,
    "-l",
    `${dir}/server.log`,
    "-o",
    `-c listen_addresses=127.0.0.1 -c port=${port} -k ${dir}`,
    "-w",
    "start",
  ], user);
  log.info("started private PostgreSQL", { dir, port, fresh });
  return {
    name: "postgres",
    async stop() {
      await run([pgCtl, "-D", dir, "-m", "fast", "-w", "stop"], user).catch((e) =>
        log.warn("could not stop private PostgreSQL", { error: String(e) })
      );
    },
  };
}

/** Host and port of a loopback service URL, or null for a remote one (never started here). */
function loopback(url: string, defaultPort: number): { port: number } | null {
  const u = new URL(url);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(u.hostname)) return null;
  return { port: Number(u.port || defaultPort) };
}

/**
 * Makes sure the configured PostgreSQL and Redis are reachable. For a loopback address where
 * nothing listens (the local defaults, typically), private instances are started on that port
 * under the data directory; remote addresses are left alone.
 */
export async function ensureLocalServices(config: Config): Promise<LocalService[]> {
  const started: LocalService[] = [];
  if (config.TILLSTREAM_LOCAL_SERVICES === "off") return started;
  const redis = loopback(config.REDIS_URL, 6379);
  const pg = loopback(config.DATABASE_URL, 5432);
  try {
    if (redis && !(await listening("127.0.0.1", redis.port))) {
      started.push(await startRedis(config.TILLSTREAM_DATA_DIR, redis.port));
    }
    if (pg && !(await listening("127.0.0.1", pg.port))) {
      started.push(await startPostgres(config.TILLSTREAM_DATA_DIR, pg.port));
    }
  } catch (e) {
    for (const s of started.reverse()) await s.stop();
    throw e;
  }
  return started;
}
