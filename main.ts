/**
 * Tillstream's entry point. `deno task start` runs every role in one process; each role also
 * runs alone for scale-out:
 *
 *   deno run -A main.ts start      web + worker + scheduler (+ simulator unless TILLSTREAM_SIMULATOR=off)
 *   deno run -A main.ts web        HTTP server, dashboard and API
 *   deno run -A main.ts worker     stream consumers
 *   deno run -A main.ts scheduler  model and alert jobs
 *   deno run -A main.ts simulator  POS simulator (demo data)
 *   deno run -A main.ts migrate    apply database migrations and exit
 *
 * SIGINT/SIGTERM stop every role gracefully: in-flight work finishes, connections close.
 */
import { ConfigError, loadConfig } from "./lib/config.ts";
import { errorMessage, log, setLogLevel } from "./lib/log.ts";
import { ensureLocalServices, type LocalService } from "./lib/services.ts";
import { openRuntime, type Runtime } from "./lib/runtime.ts";
import { migrate } from "./lib/migrate.ts";
import { type RoleName, ROLES } from "./lib/roles.ts";
import { redactUrl } from "./lib/url.ts";

const USAGE = `usage: deno run -A main.ts <start|web|worker|scheduler|simulator|migrate> [--dev]`;

async function main(args: string[]): Promise<number> {
  const command = args[0] ?? "start";
  const dev = args.includes("--dev");
  if (!["start", "web", "worker", "scheduler", "simulator", "migrate"].includes(command)) {
    console.error(`unknown command "${command}"\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  setLogLevel(config.TILLSTREAM_LOG_LEVEL);

  const services: LocalService[] = await ensureLocalServices(config);
  let rt: Runtime | undefined;
  const controller = new AbortController();
  const stop = (signal: string) => {
    if (controller.signal.aborted) return;
    log.info("shutting down: finishing in-flight work", { signal });
    controller.abort();
  };
  Deno.addSignalListener("SIGINT", () => stop("SIGINT"));
  Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"));

  try {
    rt = await openRuntime(config, { name: command });
    const applied = await migrate(rt.sql);
    if (applied.length) log.info("migrations applied", { versions: applied });
    if (command === "migrate") {
      console.log(applied.length ? `applied ${applied.join(", ")}` : "schema is current");
      return 0;
    }
    log.info("connected", {
      postgres: redactUrl(config.DATABASE_URL),
      redis: redactUrl(config.REDIS_URL),
      timeseries: rt.timeSeries ? "RedisTimeSeries module" : "core Redis structures (no module)",
    });
    const roles: RoleName[] = command === "start"
      ? [
        "web",
        "worker",
        "scheduler",
        ...(config.TILLSTREAM_SIMULATOR === "on" ? ["simulator" as const] : []),
      ]
      : [command as RoleName];
    const runtime = rt;
    const heartbeat = startHeartbeat(config.TILLSTREAM_HEARTBEAT_FILE, controller.signal);
    const running = roles.map((name) =>
      ROLES[name](runtime, { signal: controller.signal, dev }).catch((e) => {
        log.error(`${name} stopped with an error`, { error: errorMessage(e) });
        stop(`${name} failed`);
        throw e;
      })
    );
    const results = await Promise.allSettled(running);
    clearInterval(heartbeat);
    return results.some((r) => r.status === "rejected") ? 1 : 0;
  } finally {
    await rt?.close();
    for (const s of services.reverse()) await s.stop();
  }
}

/** Touches `file` every 10 s while the event loop runs, for container health checks. */
function startHeartbeat(
  file: string,
  signal: AbortSignal,
): ReturnType<typeof setInterval> | undefined {
  if (!file) return undefined;
  const touch = () => Deno.writeTextFile(file, new Date().toISOString()).catch(() => {});
  touch();
  const timer = setInterval(touch, 10_000);
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
  return timer;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    if (e instanceof ConfigError) console.error(e.message);
    else console.error(`tillstream: ${errorMessage(e)}`);
    Deno.exit(1);
  }
}
