/**
 * Configuration from environment variables, validated once at start.
 *
 * Every variable has a default that works on a developer machine (local PostgreSQL and Redis);
 * a bad value fails fast with the variable's name, the value seen and an example of a good one.
 * `.env.example` lists the same variables; `config_test.ts` keeps the two in step.
 */

/** One configuration variable: how to parse it and what a good value looks like. */
interface VarSpec<T> {
  default: string;
  example: string;
  help: string;
  parse: (raw: string) => T | undefined;
}

/** A whole number in [min, max]; the range is named in the error (`expects`). */
const int = (min: number, max: number) =>
  Object.assign((raw: string) => {
    if (!/^-?\d+$/.test(raw.trim())) return undefined;
    const n = Number(raw);
    return n >= min && n <= max ? n : undefined;
  }, { expects: `a whole number from ${min} to ${max}` });
const url = (protocols: string[]) => (raw: string) => {
  try {
    const u = new URL(raw);
    return protocols.includes(u.protocol) ? raw : undefined;
  } catch {
    return undefined;
  }
};
const oneOf = <T extends string>(...values: T[]) => (raw: string) =>
  values.includes(raw as T) ? raw as T : undefined;
const text = (pattern: RegExp) => (raw: string) => pattern.test(raw) ? raw : undefined;
const optionalPath = (raw: string) => raw;

/** The variables Tillstream reads, in the order `.env.example` lists them. */
export const VARS = {
  DATABASE_URL: {
    default: "postgres://postgres@127.0.0.1:5432/tillstream",
    example: "postgres://user:secret@db.example.com:5432/tillstream",
    help: "PostgreSQL connection URL; the database is created if missing",
    parse: url(["postgres:", "postgresql:"]),
  },
  REDIS_URL: {
    default: "redis://127.0.0.1:6379",
    example: "redis://:secret@redis.example.com:6379/0",
    help: "Redis connection URL (Redis >= 7; RedisTimeSeries used when present)",
    parse: url(["redis:", "rediss:"]),
  },
  PORT: {
    default: "8000",
    example: "8000",
    help: "HTTP port of the web role",
    parse: int(0, 65535),
  },
  TILLSTREAM_HOST: {
    default: "0.0.0.0",
    example: "127.0.0.1",
    help: "address the web role listens on",
    parse: text(/^[\w.:-]+$/),
  },
  TILLSTREAM_KEY_PREFIX: {
    default: "",
    example: "acme:",
    help: "prefix for every Redis key (several deployments on one Redis)",
    parse: text(/^[\w:.-]*$/),
  },
  TILLSTREAM_PARTITIONS: {
    default: "4",
    example: "8",
    help: "stream partitions per event family (hash(store_id) mod P)",
    parse: int(1, 1024),
  },
  TILLSTREAM_LOCAL_SERVICES: {
    default: "auto",
    example: "off",
    help: "auto: start private PostgreSQL/Redis under .data/ when none listens on the defaults",
    parse: oneOf("auto", "off"),
  },
  TILLSTREAM_DATA_DIR: {
    default: ".data",
    example: "/var/lib/tillstream",
    help: "where private local services keep their files",
    parse: optionalPath,
  },
  TILLSTREAM_SIMULATOR: {
    default: "on",
    example: "off",
    help: "run the POS simulator inside `deno task start`",
    parse: oneOf("on", "off"),
  },
  TILLSTREAM_SIMULATOR_RATE: {
    default: "natural",
    example: "6",
    help:
      "simulator receipts per second in `deno task start` (natural: the stores' own volume, about 0.3/s, continuous with the backfilled history; 500,000/day is about 6/s)",
    parse: (raw: string) => raw === "natural" ? "natural" as const : int(0, 1_000_000)(raw),
  },
  TILLSTREAM_SIMULATOR_SHAPE: {
    default: "daily",
    example: "flat",
    help:
      "how the simulator's traffic spreads over time (daily: opening hours, lunch and evening peaks, busier weekends, none at night; flat: the same rate every hour, for soak and load runs)",
    parse: oneOf("daily", "flat"),
  },
  TILLSTREAM_SIMULATOR_BACKFILL_DAYS: {
    default: "28",
    example: "60",
    help: "days of history the simulator backfills at start when the database is empty",
    parse: int(0, 3650),
  },
  TILLSTREAM_BACKLOG_LIMIT: {
    default: "200000",
    example: "500000",
    help: "unprocessed entries per stream family above which POST /api/v1/events answers 503",
    parse: int(1, 1_000_000_000),
  },
  TILLSTREAM_LOG_LEVEL: {
    default: "info",
    example: "debug",
    help: "debug, info, warn or error",
    parse: oneOf("debug", "info", "warn", "error"),
  },
  TILLSTREAM_PUBLIC_URL: {
    default: "http://localhost:8000",
    example: "https://tillstream.example.com",
    help: "address used in links inside notifications",
    parse: url(["http:", "https:"]),
  },
  TILLSTREAM_HEARTBEAT_FILE: {
    default: "",
    example: "/tmp/tillstream.alive",
    help: "file touched every 10 s while the process is alive (container health checks)",
    parse: optionalPath,
  },
  TILLSTREAM_ALERTS_FILE: {
    default: "",
    example: "alerts.yaml",
    help: "optional YAML/JSON file provisioning alert rules and channels",
    parse: optionalPath,
  },
  TILLSTREAM_SMTP_URL: {
    default: "",
    example: "smtp://user:pass@smtp.example.com:587",
    help: "SMTP server for e-mail notifications (empty: e-mail off)",
    parse: (raw: string) => raw === "" ? "" : url(["smtp:", "smtps:"])(raw),
  },
  TILLSTREAM_MAIL_FROM: {
    default: "Tillstream <alerts@localhost>",
    example: "Tillstream <alerts@example.com>",
    help: "From address of notification e-mails",
    parse: text(/.+@.+/),
  },
  TILLSTREAM_SCHEDULES: {
    default: "",
    example: "forecast=5 * * * *;churn=off",
    help: "scheduler overrides, name=cron pairs separated by ';' ('off' disables a job)",
    parse: text(/^(\s*[\w.-]+\s*=[^;=]+(;|$))*\s*$/),
  },
  TILLSTREAM_WORKER_CONSUMERS: {
    default: "2",
    example: "4",
    help: "stream consumers per worker process (concurrent batches; one group across all)",
    parse: int(1, 64),
  },
  TILLSTREAM_WORKER_MAX_CONSUMERS: {
    // A backlog keeps every read full; then one loop per partition commits 3–17 % more
    // events/s than two loops (docs/benchmarks.md, tenth pass).
    default: "4",
    example: "8",
    help:
      "stream consumers per worker process while the streams hold a backlog (after three reads of half a batch or more; back after 5 s without a quarter)",
    parse: int(1, 64),
  },
  TILLSTREAM_WORKER_BATCH: {
    // Only a backlog fills a batch (at 10,000 events/s they hold ~200); caught up in batches of
    // 10,000, each event costs 12–20 % less CPU than at 5,000 (docs/benchmarks.md, fifth pass).
    default: "10000",
    example: "10000",
    help: "most stream entries a worker reads per batch (one PostgreSQL transaction)",
    parse: int(1, 100_000),
  },
  TILLSTREAM_WORKER_CLAIM_IDLE_MS: {
    default: "30000",
    example: "60000",
    help: "idle time after which a dead consumer's pending entries are claimed by another",
    parse: int(100, 86_400_000),
  },
  TILLSTREAM_WORKER_LINGER_MS: {
    default: "0",
    example: "20",
    help:
      "wait this long to fill a batch read at under a quarter full (less CPU per event, more latency)",
    parse: int(0, 1_000),
  },
  TILLSTREAM_COMPACT_MS: {
    default: "250",
    example: "500",
    help:
      "milliseconds between a worker's folds of hour/day deltas into the rollups, so how far those trail",
    parse: int(10, 60_000),
  },
} satisfies Record<string, VarSpec<unknown>>;

type Vars = typeof VARS;
/** Parsed configuration: each variable by name, with its parsed type. */
export type Config = { [K in keyof Vars]: NonNullable<ReturnType<Vars[K]["parse"]>> };

/** A configuration error a person can act on. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads and validates configuration from `env` (defaults to the process environment).
 * Throws one ConfigError listing every bad variable.
 */
export function loadConfig(env: Record<string, string | undefined> = Deno.env.toObject()): Config {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(VARS) as [string, VarSpec<unknown>][]) {
    const raw = env[name];
    const value = spec.parse(raw === undefined || raw === "" ? spec.default : raw);
    if (value === undefined) {
      problems.push(
        `${name}=${JSON.stringify(raw)} is not valid: expected ${spec.help}${
          "expects" in spec.parse ? ` (${spec.parse.expects})` : ""
        }, for example ${name}=${spec.example}`,
      );
    } else out[name] = value;
  }
  if (problems.length) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join("\n  ")}`);
  }
  return out as Config;
}

/** Renders `.env.example`: every variable with its default and what it is for. */
export function envExample(): string {
  const lines = ["# Tillstream configuration. Every variable is optional; shown with its default."];
  for (const [name, spec] of Object.entries(VARS) as [string, VarSpec<unknown>][]) {
    lines.push("", `# ${spec.help} (e.g. ${spec.example})`, `${name}=${spec.default}`);
  }
  return lines.join("\n") + "\n";
}
