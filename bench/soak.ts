/**
 * `deno task bench soak [--minutes N] [--rate R] [--shape flat|daily] [--backfill-days D]
 * [--every S] [--json]`: the whole system as `deno task start` runs it — web, stream workers,
 * scheduler (model and alert jobs) and the POS simulator — left running for N minutes (default
 * 60), to see what grows.
 *
 * The system runs in a child process (`main.ts start`) on a database, key prefix and port of its
 * own, removed at the end. The simulator backfills D days of history (default 7) and then sends R
 * receipts/s (default 50, about 4.3 M a day: well above a 50-store chain's own volume, so a day's
 * growth shows within the hour). With `--shape flat` (the default) that rate holds every hour;
 * with `daily` it follows the stores' hours, so at night (all 50 stores are in the US: about
 * 05:00–12:00 UTC) nothing arrives and the run measures an idle system. Every S seconds
 * (default 30) the benchmark samples:
 *
 * - the child's resident memory and JavaScript heap (`/metrics`), its CPU and that of the
 *   PostgreSQL backends serving its database (`/proc`, so with the server on this machine);
 * - Redis: memory in use (the whole server), the run's keys, stream entries kept, `live:updates`;
 * - PostgreSQL: the database's size and its receipts;
 * - the pipeline: entries not yet acknowledged, dead letters, events processed;
 * - what a user waits for: the overview page, the products page and `/api/v1/sales` (minutes).
 *
 * Then (or at Ctrl-C) it stops the child with SIGINT, times its shutdown, and checks that every receipt the
 * simulator added to the streams is in PostgreSQL, dead-lettered, or still unacknowledged.
 * The summary gives each figure's least-squares slope per hour after the warm-up (the first
 * fifth of the run, at least two minutes: backfill, first trainings): memory that keeps growing
 * there is a leak; the database and the receipts grow with the data, as they should.
 * The scheduler's runs are summed per job (runs by outcome, duration by third of the run), and
 * the child's warnings and errors are counted by message.
 */
import { loadConfig } from "../lib/config.ts";
import { connect, dropDatabase, type Sql, withDatabase } from "../lib/db.ts";
import { connectRedis, deleteByPrefix, type Redis, scanPrefix } from "../lib/redis.ts";
import { FAMILIES, keysFor, WORKER_GROUP } from "../lib/keys.ts";
import { numberFlag, parseCli, table, UsageError } from "../cli/args.ts";
import { DENO_RUN } from "../lib/testing/deno_run.ts";

const OPTIONS = {
  minutes: { type: "string" },
  rate: { type: "string" },
  shape: { type: "string" },
  "backfill-days": { type: "string" },
  every: { type: "string" },
  json: { type: "boolean" },
} as const;

/** One sample of the running system. */
export interface SoakSample {
  t_s: number;
  rss_mb: number | null;
  heap_mb: number | null;
  /** Outside the heap: buffers and WebAssembly memories. */
  external_mb: number | null;
  cpu_pct: number | null;
  /** The PostgreSQL backends serving the run's database (those alive at both samples). */
  pg_cpu_pct: number | null;
  redis_used_mb: number;
  redis_keys: number;
  stream_entries: number;
  live_updates: number;
  db_mb: number;
  receipts: number;
  lag: number | null;
  dlq: number | null;
  events_processed: number | null;
  overview_ms: number | null;
  products_ms: number | null;
  api_ms: number | null;
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;
const mb = (bytes: number) => round(bytes / 1048576);

/** Least-squares slope of y over x (per unit of x); null with fewer than 3 points. */
export function slope(points: [number, number][]): number | null {
  const pts = points.filter(([, y]) => Number.isFinite(y));
  if (pts.length < 3) return null;
  const n = pts.length;
  const mx = pts.reduce((a, [x]) => a + x, 0) / n, my = pts.reduce((a, [, y]) => a + y, 0) / n;
  let sxy = 0, sxx = 0;
  for (const [x, y] of pts) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : null;
}

/** The value of an unlabelled Prometheus figure, or the sum over a labelled one's series. */
export function promValue(text: string, name: string): number | null {
  let sum = 0, seen = false;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name) || !/[\s{]/.test(line[name.length] ?? "")) continue;
    const v = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (!Number.isFinite(v)) continue;
    sum += v;
    seen = true;
  }
  return seen ? sum : null;
}

/** Counts the child's log lines by level and, for warnings and errors, by message. */
export class LogTally {
  levels: Record<string, number> = {};
  messages = new Map<string, { level: string; count: number; first: string }>();
  other: string[] = [];

  add(line: string) {
    if (!line.trim()) return;
    let rec: Record<string, unknown> | null = null;
    try {
      const parsed = JSON.parse(line);
      if (parsed && typeof parsed === "object" && typeof parsed.level === "string") rec = parsed;
    } catch { /* not one of our log lines */ }
    if (!rec) {
      // Anything else on the child's output (an uncaught error's stack, a library's warning).
      if (this.other.length < 20) this.other.push(line.slice(0, 300));
      this.levels.other = (this.levels.other ?? 0) + 1;
      return;
    }
    const level = rec.level as string;
    this.levels[level] = (this.levels[level] ?? 0) + 1;
    if (level !== "warn" && level !== "error") return;
    const msg = String(rec.msg);
    const seen = this.messages.get(msg);
    if (seen) seen.count++;
    else this.messages.set(msg, { level, count: 1, first: line.slice(0, 400) });
  }

  summary() {
    return {
      lines: this.levels,
      warnings_and_errors: [...this.messages.entries()].map(([msg, m]) => ({ msg, ...m })),
      other: this.other,
    };
  }
}

async function pump(stream: ReadableStream<Uint8Array>, tally: LogTally) {
  let rest = "";
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    const lines = (rest + decoder.decode(bytes, { stream: true })).split("\n");
    rest = lines.pop()!;
    for (const l of lines) tally.add(l);
  }
  if (rest) tally.add(rest);
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** CPU seconds of process `pid` so far (Linux /proc), or null. */
async function cpuSeconds(pid: number): Promise<number | null> {
  try {
    const f = (await Deno.readTextFile(`/proc/${pid}/stat`)).split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ
  } catch {
    return null;
  }
}

/** CPU seconds so far of each PostgreSQL backend serving `sql`'s database (server on this host). */
async function backendCpu(sql: Sql): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  const pids = await sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database()`.catch(() => []);
  for (const { pid } of pids) {
    const s = await cpuSeconds(pid);
    if (s !== null) out.set(pid, s);
  }
  return out;
}

/**
 * The scheduler's runs of the soak (`job_runs`): per job, how many ended each way, and how long
 * the successful ones took in each third of the run, to see a job slow down as data grows.
 */
async function jobSummary(sql: Sql, started: number, ended: number) {
  const third = (ended - started) / 3;
  const rows = await sql<{
    job: string;
    status: string;
    part: number;
    runs: number;
    p50_ms: number;
    max_ms: number;
    error: string | null;
  }[]>`
    select job, status,
           least(2, floor(extract(epoch from started_at - ${new Date(
    started,
  )}) * 1000 / ${third}))::int
             as part,
           count(*)::int as runs,
           round(percentile_cont(0.5) within group (
             order by extract(epoch from finished_at - started_at) * 1000))::float8 as p50_ms,
           round(max(extract(epoch from finished_at - started_at) * 1000))::float8 as max_ms,
           min(error) as error
    from job_runs where finished_at is not null
    group by 1, 2, 3 order by 1, 2, 3`;
  const jobs = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const j = jobs.get(r.job) ?? { job: r.job, ok: 0, error: 0, skipped: 0, ok_ms_by_third: [] };
    jobs.set(r.job, j);
    j[r.status] = (j[r.status] as number ?? 0) + r.runs;
    if (r.status === "ok") {
      (j.ok_ms_by_third as unknown[]).push({
        third: r.part + 1,
        runs: r.runs,
        p50: r.p50_ms,
        max: r.max_ms,
      });
    }
    if (r.status === "error" && !j.first_error) j.first_error = r.error?.slice(0, 300);
  }
  return [...jobs.values()];
}

/**
 * Milliseconds to fetch `url` completely, or null when it fails; a failure is described in
 * `failures` (its path, and the status and start of the body, or the error).
 */
async function timed(url: string, failures: string[]): Promise<number | null> {
  const t0 = performance.now();
  const path = new URL(url).pathname;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    const body = await res.text();
    if (res.ok) return round(performance.now() - t0);
    failures.push(
      `${path}: HTTP ${res.status} after ${round(performance.now() - t0)} ms: ${
        body.slice(0, 200)
      }`,
    );
  } catch (e) {
    failures.push(`${path}: ${(e as Error).message} after ${round(performance.now() - t0)} ms`);
  }
  return null;
}

async function countKeys(redis: Redis, prefix: string): Promise<number> {
  let n = 0;
  for await (const found of scanPrefix(redis, prefix)) n += found.length;
  return n;
}

/** Entries ever added to, and not yet acknowledged on, each family's streams. */
async function streamTotals(redis: Redis, keys: ReturnType<typeof keysFor>, partitions: number) {
  const out: Record<string, { added: number; kept: number; unacked: number }> = {};
  for (const family of FAMILIES) {
    const t = { added: 0, kept: 0, unacked: 0 };
    for (const s of keys.streams(family, partitions)) {
      const info = await redis.call("XINFO", "STREAM", s).catch(() => null) as unknown[] | null;
      if (!info) continue;
      const f = fieldsOf(info);
      t.added += Number(f["entries-added"] ?? 0);
      t.kept += Number(f.length ?? 0);
      const groups = (await redis.call("XINFO", "GROUPS", s)) as unknown[][];
      const g = groups.map(fieldsOf).find((x) => x.name === WORKER_GROUP);
      t.unacked += g ? Number(g.lag ?? 0) + Number(g.pending ?? 0) : Number(f.length ?? 0);
    }
    out[family] = t;
  }
  return out;
}

function fieldsOf(flat: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) o[String(flat[i])] = flat[i + 1];
  return o;
}

/** Runs the soak; prints a table by tenth of the run, or JSON. Exit code 1 if anything failed. */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, OPTIONS);
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const minutes = numberFlag("minutes", values.minutes, { above: 0 }) ?? 60;
  const rate = numberFlag("rate", values.rate, { min: 0 }) ?? 50;
  const shape = values.shape ?? "flat";
  if (shape !== "flat" && shape !== "daily") {
    throw new UsageError(
      `--shape must be flat (the same rate every hour) or daily (the stores' hours: nothing ` +
        `while they are closed), got ${JSON.stringify(shape)}`,
    );
  }
  const backfillDays =
    numberFlag("backfill-days", values["backfill-days"], { integer: true, min: 0 }) ?? 7;
  const every = numberFlag("every", values.every, { above: 0 }) ?? 30;

  const base = loadConfig();
  const tag = `soak_${Date.now().toString(36)}_${
    crypto.getRandomValues(new Uint32Array(1))[0].toString(36)
  }`;
  const database = `ts_${tag}`, prefix = `${base.TILLSTREAM_KEY_PREFIX}${tag}:`;
  const dbUrl = withDatabase(base.DATABASE_URL, database);
  const port = freePort();
  const web = `http://127.0.0.1:${port}`;
  const keys = keysFor(prefix);
  const redis = connectRedis(base.REDIS_URL);
  const sql = connect(dbUrl, { max: 1 });
  const tally = new LogTally();
  const samples: SoakSample[] = [];
  const pageFailures: string[] = [];
  const root = new URL("../", import.meta.url);
  const child = new Deno.Command(Deno.execPath(), {
    args: [...DENO_RUN, "main.ts", "start"],
    cwd: root,
    env: {
      DATABASE_URL: dbUrl,
      REDIS_URL: base.REDIS_URL,
      TILLSTREAM_KEY_PREFIX: prefix,
      PORT: String(port),
      TILLSTREAM_HOST: "127.0.0.1",
      TILLSTREAM_PUBLIC_URL: web,
      TILLSTREAM_LOCAL_SERVICES: "off",
      TILLSTREAM_SIMULATOR: "on",
      TILLSTREAM_SIMULATOR_RATE: String(rate),
      TILLSTREAM_SIMULATOR_SHAPE: shape,
      TILLSTREAM_SIMULATOR_BACKFILL_DAYS: String(backfillDays),
      TILLSTREAM_LOG_LEVEL: "info",
      TILLSTREAM_HEARTBEAT_FILE: "",
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const logs = Promise.all([pump(child.stdout, tally), pump(child.stderr, tally)]);
  let exited = false;
  const status = child.status.finally(() => exited = true);
  const started = Date.now();
  let end = started + minutes * 60_000;
  // Ctrl-C ends the soak early: one last sample, then the same shutdown and summary.
  let wake = () => {};
  const interrupt = () => {
    end = Math.min(end, Date.now());
    wake();
  };
  Deno.addSignalListener("SIGINT", interrupt);
  const progress = !values.json;
  let out: Record<string, unknown> = {};
  let failed = false;
  try {
    let lastCpu = await cpuSeconds(child.pid), lastAt = Date.now();
    let lastPg = new Map<number, number>();
    for (let next = started + every * 1000; !exited; next += every * 1000) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, Math.min(next, end) - Date.now()));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (exited) break;
      const metricsText = await fetch(`${web}/metrics`, { signal: AbortSignal.timeout(30_000) })
        .then((r) => r.ok ? r.text() : "").catch(() => "");
      const fig = (name: string) => metricsText ? promValue(metricsText, name) : null;
      const cpu = await cpuSeconds(child.pid), at = Date.now();
      const pg = await backendCpu(sql);
      let pgCpu = 0;
      for (const [pid, secs] of pg) pgCpu += secs - (lastPg.get(pid) ?? secs);
      const memory = await redis.info("memory");
      const [db] = await sql<{ size: string; receipts: string }[]>`
        select pg_database_size(current_database())::text as size,
               (select count(*) from receipts)::text as receipts`
        .catch(() => [{ size: "0", receipts: "0" }]);
      let streamEntries = 0;
      for (const f of FAMILIES) {
        for (const s of keys.streams(f, base.TILLSTREAM_PARTITIONS)) {
          streamEntries += await redis.xlen(s);
        }
      }
      const rss = fig("tillstream_process_resident_memory_bytes");
      const heap = fig("tillstream_process_heap_used_bytes");
      const external = fig("tillstream_process_external_memory_bytes");
      const sample: SoakSample = {
        t_s: Math.round((at - started) / 1000),
        rss_mb: rss === null ? null : mb(rss),
        heap_mb: heap === null ? null : mb(heap),
        external_mb: external === null ? null : mb(external),
        cpu_pct: cpu !== null && lastCpu !== null
          ? round((100 * (cpu - lastCpu)) / ((at - lastAt) / 1000))
          : null,
        pg_cpu_pct: lastPg.size ? round((100 * pgCpu) / ((at - lastAt) / 1000)) : null,
        redis_used_mb: mb(Number(/used_memory:(\d+)/.exec(memory)?.[1] ?? 0)),
        redis_keys: await countKeys(redis, prefix),
        stream_entries: streamEntries,
        live_updates: await redis.xlen(keys.liveUpdates),
        db_mb: mb(Number(db.size)),
        receipts: Number(db.receipts),
        lag: fig("tillstream_pipeline_lag"),
        dlq: fig("tillstream_dlq_size"),
        events_processed: fig("tillstream_events_processed_total"),
        overview_ms: await timed(`${web}/`, pageFailures),
        products_ms: await timed(`${web}/products`, pageFailures),
        api_ms: await timed(`${web}/api/v1/sales?interval=minute`, pageFailures),
      };
      lastCpu = cpu;
      lastPg = pg;
      lastAt = at;
      samples.push(sample);
      if (progress) {
        console.error(
          `soak ${
            Math.round(sample.t_s / 60)
          }/${minutes} min: rss ${sample.rss_mb} MB, heap ${sample.heap_mb} MB, ` +
            `${sample.receipts} receipts, lag ${sample.lag}, overview ${sample.overview_ms} ms`,
        );
      }
      if (Date.now() >= end) break;
    }
    if (exited) failed = true;
    const jobs = await jobSummary(sql, started, Date.now()).catch((e) => [{ error: String(e) }]);
    const stopAt = Date.now();
    if (!exited) child.kill("SIGINT");
    const killer = setTimeout(() => {
      if (!exited) child.kill("SIGKILL");
    }, 120_000);
    const code = (await status).code;
    clearTimeout(killer);
    const shutdownMs = Date.now() - stopAt;
    await logs;
    const totals = await streamTotals(redis, keys, base.TILLSTREAM_PARTITIONS);
    const [pg] = await sql<{ receipts: string }[]>`select count(*)::text as receipts from receipts`;
    const dlq = await redis.xlen(keys.dlq);
    const receipts = Number(pg.receipts);
    // Every receipt the simulator added is committed, dead-lettered or still unacknowledged
    // (the simulator sends no duplicates, so none is counted twice).
    const accounted = receipts + dlq + totals.sales.unacked;
    const warm = Math.max(120, minutes * 12); // seconds: a fifth of the run, at least 2 minutes
    const after = samples.filter((s) => s.t_s >= warm);
    const perHour = (pick: (s: SoakSample) => number | null) => {
      const v = slope(after.map((s) => [s.t_s / 3600, pick(s) ?? NaN]));
      return v === null ? null : round(v);
    };
    const range = (pick: (s: SoakSample) => number | null) => {
      const v = after.map(pick).filter((x): x is number => x !== null);
      return v.length
        ? { first: v[0], last: v.at(-1)!, min: Math.min(...v), max: Math.max(...v) }
        : null;
    };
    const pct = (pick: (s: SoakSample) => number | null, q: number) => {
      const v = samples.map(pick).filter((x): x is number => x !== null).sort((a, b) => a - b);
      return v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))] : null;
    };
    const child_exit = { code, shutdown_ms: shutdownMs, ran_to_the_end: !failed };
    failed ||= code !== 0 || accounted !== totals.sales.added;
    out = {
      benchmark: "soak",
      minutes,
      minutes_run: round((end - started) / 60_000),
      rate_per_s: rate,
      shape,
      // What arrived after the warm-up (the first live step catches up the current hour at once).
      receipts_per_s_after_warm_up: perHour((s) => s.receipts) === null
        ? null
        : round(perHour((s) => s.receipts)! / 3600),
      backfill_days: backfillDays,
      sample_every_s: every,
      warm_up_s: warm,
      child: child_exit,
      receipts: {
        added_to_streams: totals.sales.added,
        in_postgres: receipts,
        dead_lettered: dlq,
        unacknowledged_at_stop: totals.sales.unacked,
        all_accounted_for: accounted === totals.sales.added,
      },
      after_warm_up: {
        rss_mb: range((s) => s.rss_mb),
        heap_mb: range((s) => s.heap_mb),
        external_mb: range((s) => s.external_mb),
        redis_used_mb: range((s) => s.redis_used_mb),
        redis_keys: range((s) => s.redis_keys),
        stream_entries: range((s) => s.stream_entries),
        db_mb: range((s) => s.db_mb),
      },
      slope_per_hour: {
        rss_mb: perHour((s) => s.rss_mb),
        heap_mb: perHour((s) => s.heap_mb),
        external_mb: perHour((s) => s.external_mb),
        redis_used_mb: perHour((s) => s.redis_used_mb),
        redis_keys: perHour((s) => s.redis_keys),
        stream_entries: perHour((s) => s.stream_entries),
        db_mb: perHour((s) => s.db_mb),
        receipts: perHour((s) => s.receipts),
        cpu_pct: perHour((s) => s.cpu_pct),
        pg_cpu_pct: perHour((s) => s.pg_cpu_pct),
        overview_ms: perHour((s) => s.overview_ms),
        api_ms: perHour((s) => s.api_ms),
      },
      page_ms: {
        overview: { p50: pct((s) => s.overview_ms, 0.5), max: pct((s) => s.overview_ms, 1) },
        products: { p50: pct((s) => s.products_ms, 0.5), max: pct((s) => s.products_ms, 1) },
        api_sales_minutes: { p50: pct((s) => s.api_ms, 0.5), max: pct((s) => s.api_ms, 1) },
        failed_requests: samples.filter((s) =>
          s.overview_ms === null || s.products_ms === null || s.api_ms === null
        ).length,
        // What the first few failed requests answered (or why they did not).
        failures: pageFailures.slice(0, 5),
      },
      jobs,
      cpu_pct_mean: round(
        samples.reduce((a, s) =>
          a + (s.cpu_pct ?? 0), 0) / Math.max(1, samples.length),
      ),
      log: tally.summary(),
      samples,
      scratch: { database, prefix },
    };
  } finally {
    Deno.removeSignalListener("SIGINT", interrupt);
    if (!exited) child.kill("SIGKILL");
    await sql.end({ timeout: 1 }).catch(() => {});
    await deleteByPrefix(redis, prefix).catch(() => {});
    redis.disconnect();
    await dropDatabase(base.DATABASE_URL, database).catch(() => {});
  }
  if (values.json) console.log(JSON.stringify(out));
  else {
    const tenth = Math.max(1, Math.round(samples.length / 10));
    const rows = samples.filter((_, i) => i % tenth === tenth - 1 || i === samples.length - 1);
    console.log(table(rows as unknown as Record<string, unknown>[], [
      "t_s",
      "rss_mb",
      "heap_mb",
      "external_mb",
      "cpu_pct",
      "pg_cpu_pct",
      "redis_used_mb",
      "redis_keys",
      "stream_entries",
      "db_mb",
      "receipts",
      "lag",
      "overview_ms",
      "api_ms",
    ]));
    const { samples: _s, log, ...rest } = out;
    console.log(JSON.stringify({ ...rest, log: { ...(log as object) } }, null, 2));
  }
  return failed ? 1 : 0;
}
