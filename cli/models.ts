/**
 * `deno task models …`: the data scientists' CLI over the model registry.
 *
 *   list | train | evaluate | promote | rollback | export | detect
 *
 * Tables for people, `--json` for scripts; training progress on stderr; exit 0 ok, 1 failure
 * (including a refused promotion), 2 bad usage.
 */
import {
  numberFlag,
  type NumberRange,
  openCliRuntime,
  parseCli,
  runCli,
  table,
  UsageError,
} from "./args.ts";
import type { Runtime } from "../lib/runtime.ts";
import { stderrProgress } from "./progress_bar.ts";
import {
  actor,
  exportVersion,
  getVersion,
  listVersions,
  MODEL_NAMES,
  rollback,
} from "../models/registry.ts";
import { evaluateForecast, trainForecast } from "../models/forecast.ts";
import { trainChurn } from "../models/churn.ts";
import { trainDemand } from "../models/demand.ts";
import { evaluateAnomaly, trainAnomaly } from "../models/anomaly_eval.ts";
import { detectSeries } from "../models/detector.ts";
import { promoteModel } from "../models/promotion.ts";
import { formatScoredCsv, parseSeriesCsv } from "../models/series_csv.ts";

/** Usage text. */
export const USAGE = `usage:
  deno task models list [--name NAME] [--json]
  deno task models train <forecast|anomaly|demand|churn> [--from DATE] [--to DATE] [--epochs N] [--seed N] [--horizon DAYS] [--json]
  deno task models evaluate <name> [--version V] [--json]
  deno task models promote <name> <version> [--force] [--json]
  deno task models rollback <name> [--json]
  deno task models export <name> <version> --out DIR
  deno task models detect --input series.csv [--output flags.csv] [--threshold Z] [--json]`;

const OPTIONS = {
  name: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  epochs: { type: "string" },
  seed: { type: "string" },
  horizon: { type: "string" },
  version: { type: "string" },
  force: { type: "boolean" },
  out: { type: "string" },
  input: { type: "string" },
  output: { type: "string" },
  threshold: { type: "string" },
  json: { type: "boolean" },
} as const;

type Values = ReturnType<typeof parseCli<typeof OPTIONS>>["values"];

function modelName(raw: string | undefined): (typeof MODEL_NAMES)[number] {
  if (!raw || !(MODEL_NAMES as readonly string[]).includes(raw)) {
    throw new UsageError(
      `${raw ? `unknown model "${raw}"` : "which model?"}; one of ${MODEL_NAMES.join(", ")}`,
    );
  }
  return raw as (typeof MODEL_NAMES)[number];
}

function dateFlag(name: string, raw: string | undefined): Date | undefined {
  if (raw === undefined) return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) {
    throw new UsageError(
      `--${name} ${JSON.stringify(raw)} is not a date, e.g. --${name} 2026-01-31`,
    );
  }
  return new Date(t);
}

function versionArg(raw: string | undefined): number {
  const v = Number(raw);
  if (!raw || !Number.isInteger(v) || v < 1) {
    throw new UsageError(`version ${JSON.stringify(raw ?? "")} is not a version number, e.g. 3`);
  }
  return v;
}

const fmt = (x: unknown) => typeof x === "number" ? Number(x.toFixed(4)) : x;

/** What the number flags take. */
const NUMBER_FLAGS = {
  epochs: { integer: true, min: 1 },
  seed: { integer: true, min: 0 },
  horizon: { integer: true, min: 1 },
  threshold: { above: 0 },
} satisfies Record<string, NumberRange>;

const numeric = (name: keyof typeof NUMBER_FLAGS, raw: string | undefined) =>
  numberFlag(name, raw, NUMBER_FLAGS[name]);

/** Checks arguments before connecting anywhere; returns the parsed command. */
export function parseModelsArgs(args: string[]) {
  const { values, positionals } = parseCli(args, OPTIONS);
  const [cmd, ...rest] = positionals;
  const known = ["list", "train", "evaluate", "promote", "rollback", "export", "detect"];
  if (!cmd) throw new UsageError("missing command");
  if (!known.includes(cmd)) throw new UsageError(`unknown command "${cmd}"`);
  if (["train", "evaluate", "promote", "rollback", "export"].includes(cmd)) modelName(rest[0]);
  if (["promote", "export"].includes(cmd)) versionArg(rest[1]);
  if (cmd === "export" && !values.out) throw new UsageError("export needs --out DIR");
  if (cmd === "detect" && !values.input) throw new UsageError("detect needs --input series.csv");
  for (const n of ["epochs", "seed", "horizon", "threshold"] as const) numeric(n, values[n]);
  dateFlag("from", values.from);
  dateFlag("to", values.to);
  return { cmd, rest, values };
}

async function train(rt: Runtime, name: string, v: Values): Promise<Record<string, unknown>> {
  const progress = v.json ? undefined : stderrProgress();
  const common = {
    from: dateFlag("from", v.from),
    to: dateFlag("to", v.to),
    epochs: numeric("epochs", v.epochs),
    seed: numeric("seed", v.seed),
    now: rt.clock.now(),
    trainedBy: actor(),
    onProgress: progress,
  };
  try {
    if (name === "forecast") {
      const r = await trainForecast(rt.sql, common);
      return { version: r.version, backend: r.backend, timings: r.timings, ...summary(r.metrics) };
    }
    if (name === "churn") {
      const r = await trainChurn(rt.sql, {
        ...common,
        horizonDays: numeric("horizon", v.horizon),
      });
      return { version: r.version, params: r.params, ...summary(r.metrics) };
    }
    if (name === "demand") {
      const r = await trainDemand(rt.sql, { now: common.to?.getTime() ?? common.now });
      return { version: r.version, ...summary(r.metrics) };
    }
    const r = await trainAnomaly(rt.sql, { from: common.from, to: common.to, now: common.now });
    return { version: r.version, thresholds: r.thresholds, ...summary(r.metrics) };
  } finally {
    progress?.end();
  }
}

function summary(m: Record<string, unknown>) {
  const {
    score,
    baseline,
    backtest,
    evaluation,
    baselineEvaluation: _b,
    calibration: _c,
    ...rest
  } = m as Record<string, never>;
  const bt = backtest as { overall?: unknown; byLevel?: unknown } | undefined;
  return {
    score,
    baseline,
    ...(bt ? { backtest: { overall: bt.overall, byLevel: bt.byLevel } } : {}),
    ...(evaluation ? { evaluation } : {}),
    ...rest,
  };
}

function render(obj: Record<string, unknown>): string {
  return Object.entries(obj).map(([k, v]) =>
    `${k.padEnd(12)} ${
      typeof v === "object" && v !== null ? JSON.stringify(v, (_k, x) => fmt(x)) : v
    }`
  ).join("\n");
}

async function detect(v: Values): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(v.input!);
  } catch (e) {
    throw new Error(`cannot read --input ${v.input}: ${(e as Error).message}`);
  }
  const points = parseSeriesCsv(text);
  const threshold = numeric("threshold", v.threshold);
  const { intervalMs, scored } = detectSeries(points, { threshold });
  const rows = points.map((p, i) => ({
    raw: p.raw,
    value: p.value,
    score: scored[i].score,
    isAnomaly: scored[i].isAnomaly,
  }));
  const csv = formatScoredCsv(rows);
  if (v.output) await Deno.writeTextFile(v.output, csv);
  const flagged = rows.filter((r) => r.isAnomaly);
  if (v.json) {
    return JSON.stringify({
      rows: rows.length,
      intervalSeconds: intervalMs / 1000,
      anomalies: flagged.length,
      output: v.output ?? null,
      flagged: flagged.map((r) => ({
        timestamp: r.raw,
        value: r.value,
        score: Number(r.score.toFixed(4)),
      })),
    });
  }
  if (!v.output) return csv.trimEnd();
  return `${rows.length} rows, interval ${
    intervalMs / 1000
  } s, ${flagged.length} anomalies → ${v.output}` +
    (flagged.length
      ? "\n" +
        table(
          flagged.slice(0, 20).map((r) => ({
            timestamp: r.raw,
            value: r.value,
            score: r.score.toFixed(2),
          })),
          ["timestamp", "value", "score"],
        )
      : "");
}

/** Runs one models command on `rt` (null for `detect`) and returns what to print. */
export async function modelsCommand(rt: Runtime | null, args: string[]): Promise<string> {
  const { cmd, rest, values: v } = parseModelsArgs(args);
  if (cmd === "detect") return await detect(v);
  if (!rt) throw new Error("this command needs the database");
  const sql = rt.sql;
  const out = (o: unknown, text: () => string) => v.json ? JSON.stringify(o) : text();
  switch (cmd) {
    case "list": {
      const rows = await listVersions(sql, v.name);
      return out(rows, () =>
        rows.length
          ? table(
            rows.map((r) => ({
              name: r.name,
              version: r.version,
              status: r.status,
              score: r.metrics?.score
                ? `${r.metrics.score.name} ${fmt(r.metrics.score.value)}`
                : "-",
              baseline: r.metrics?.baseline
                ? `${r.metrics.baseline.name} ${fmt(r.metrics.baseline.value)}`
                : "-",
              data: r.dataFrom && r.dataTo
                ? `${r.dataFrom.toISOString().slice(0, 10)}..${r.dataTo.toISOString().slice(0, 10)}`
                : "-",
              trained_by: r.trainedBy,
              created: r.createdAt.toISOString().slice(0, 16),
            })),
            ["name", "version", "status", "score", "baseline", "data", "trained_by", "created"],
          )
          : "no model versions yet; train one: deno task models train forecast");
    }
    case "train": {
      const r = await train(rt, rest[0], v);
      return out(
        r,
        () =>
          `${render(r)}\ncandidate ${
            rest[0]
          }@${r.version} registered; promote with: deno task models promote ${
            rest[0]
          } ${r.version}`,
      );
    }
    case "evaluate": {
      const name = rest[0];
      const version = v.version ? versionArg(v.version) : undefined;
      if (name === "forecast") {
        const r = await evaluateForecast(sql, { version, now: rt.clock.now() });
        return out(
          { version: r.version, overall: r.overall, byLevel: r.byLevel, series: r.series },
          () =>
            `forecast@${r.version} re-backtested ${r.from}..${r.to} (${r.origins} origins)\n` +
            render({ overall: r.overall, byLevel: r.byLevel }) + "\n\n" +
            table(r.series.slice(0, 30) as never, [
              "store",
              "category",
              "n",
              "mase",
              "baselineMase",
              "smape",
              "coverage",
            ]),
        );
      }
      if (name === "anomaly") {
        const to = rt.clock.now(), from = to - 14 * 86_400_000;
        const { band: _b, register: _r, price: _p, ...ev } = await evaluateAnomaly(sql, {
          from,
          to,
        });
        return out(ev, () => render(ev));
      }
      const ver = version ??
        (await listVersions(sql, name)).find((x) => x.status === "active")?.version;
      if (!ver) throw new Error(`${name} has no active version; pass --version V`);
      const r = await getVersion(sql, name, ver);
      return out(
        r,
        () => `${name}@${ver} (${r.status}), stored metrics:\n${render(summary(r.metrics))}`,
      );
    }
    case "promote": {
      const r = await promoteModel(sql, rest[0], versionArg(rest[1]), {
        force: !!v.force,
        actor: actor(),
        now: rt.clock.now(),
      });
      if (!r.promoted) {
        throw new Error(
          `not promoted: ${r.reason}. Use --force to promote anyway (recorded in model_events).`,
        );
      }
      return out(
        r,
        () => `${rest[0]}@${rest[1]} is active (${r.reason}); previous: ${r.previous ?? "none"}`,
      );
    }
    case "rollback": {
      const r = await rollback(sql, rest[0], { actor: actor() });
      return out(r, () => `${rest[0]}: version ${r.to} is active again (was ${r.from})`);
    }
    case "export": {
      const files = await exportVersion(sql, rest[0], versionArg(rest[1]), v.out!);
      return out({ files }, () => files.join("\n"));
    }
  }
  throw new UsageError(`unknown command "${cmd}"`);
}

/** CLI entry: detect runs without services; everything else opens the runtime. */
export async function modelsMain(args: string[]): Promise<number> {
  const { cmd } = parseModelsArgs(args);
  const rt = cmd === "detect" ? null : await openCliRuntime("models");
  try {
    const text = await modelsCommand(rt, args);
    if (text) console.log(text);
    return 0;
  } finally {
    await rt?.close();
  }
}

if (import.meta.main) {
  await runCli("models", USAGE, modelsMain);
}
