/**
 * What every `deno task <cli>` shares: strict argument parsing (node:util parseArgs) with a
 * usage line on mistakes, opening the runtime (config, clients, migrations), plain tables for
 * people and `--json` for scripts, and exit codes (0 ok, 1 failure, 2 bad usage). Errors are
 * printed as one clear message, never a stack.
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError, loadConfig, VARS } from "../lib/config.ts";
import { openRuntime, type Runtime } from "../lib/runtime.ts";
import { migrate } from "../lib/migrate.ts";
import { errorMessage } from "../lib/log.ts";

/** Wrong arguments: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Options map in node:util parseArgs form. */
export type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `args` strictly against `options`; unknown flags and missing values become a
 * UsageError naming the flag.
 */
export function parseCli<O extends Options>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    // Keep parseArgs' own text ("Unknown option '--foo'") without its long positional hint.
    throw new UsageError(errorMessage(e).split(". To specify")[0]);
  }
}

/** Opens the runtime from the environment and applies pending migrations. */
export async function openCliRuntime(name: string): Promise<Runtime> {
  const rt = await openRuntime(loadConfig(), { name, poolSize: 4 });
  try {
    await migrate(rt.sql);
  } catch (e) {
    await rt.close();
    throw e;
  }
  return rt;
}

/** A CLI body: gets the arguments, returns the exit code. */
export type CliMain = (args: string[]) => Promise<number | void>;

/**
 * Runs a command against a runtime opened for it and prints what it returns. Commands are
 * written as `(rt, args) => Promise<string>` so tests call them on a test runtime directly.
 */
export function withRuntime(
  name: string,
  command: (rt: Runtime, args: string[]) => Promise<string>,
  check?: (args: string[]) => void,
): CliMain {
  return async (args) => {
    check?.(args); // usage errors before connecting anywhere
    const rt = await openCliRuntime(name);
    try {
      const out = await command(rt, args);
      if (out) console.log(out);
    } finally {
      await rt.close();
    }
  };
}

/**
 * Runs a CLI: prints errors as `<name>: message` (with `usage` for UsageError) and exits with
 * 0, 1 (failure) or 2 (bad usage). Returns the code instead of exiting when `exit` is false.
 */
export async function runCli(
  name: string,
  usage: string,
  main: CliMain,
  args: string[] = Deno.args,
  opts: { exit?: boolean } = {},
): Promise<number> {
  let code: number;
  try {
    if (args.includes("--help") || args.includes("-h")) {
      console.log(usage);
      code = 0;
    } else code = (await main(args)) ?? 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`${name}: ${e.message}\n${usage}`);
      code = 2;
    } else if (e instanceof ConfigError) {
      console.error(e.message);
      code = 1;
    } else {
      console.error(`${name}: ${errorMessage(e)}`);
      code = 1;
    }
  }
  if (opts.exit !== false) Deno.exit(code);
  return code;
}

/** Formats rows as an aligned text table with a header; long cells are cut with "…". */
export function table(
  rows: Record<string, unknown>[],
  columns: string[],
  maxWidth = 60,
): string {
  const cell = (v: unknown) => {
    const s = v === null || v === undefined
      ? "-"
      : v instanceof Date
      ? v.toISOString()
      : Array.isArray(v)
      ? v.join(",")
      : typeof v === "object"
      ? JSON.stringify(v)
      : String(v);
    const flat = s.replace(/\s+/g, " ");
    return flat.length > maxWidth ? flat.slice(0, maxWidth - 1) + "…" : flat;
  };
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (parts: string[]) => parts.map((p, i) => p.padEnd(widths[i])).join("  ").trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join("\n");
}

/** What a number flag must be: whole, at least `min`, above `above`, at most `max`. */
export interface NumberRange {
  integer?: boolean;
  min?: number;
  above?: number;
  max?: number;
}

/** "a whole number from 1 to 64", "a number above 0", … (the wording of lib/config.ts). */
function describeRange(r: NumberRange): string {
  const what = r.integer ? "a whole number" : "a number";
  if (r.min !== undefined && r.max !== undefined) return `${what} from ${r.min} to ${r.max}`;
  const bounds = [
    r.min !== undefined ? `of at least ${r.min}` : "",
    r.above !== undefined ? `above ${r.above}` : "",
    r.max !== undefined ? `of at most ${r.max}` : "",
  ].filter(Boolean);
  return bounds.length ? `${what} ${bounds.join(" and ")}` : what;
}

/**
 * Parses a number flag, or throws a UsageError naming it, the value given and, when it is
 * outside `range`, what the flag takes.
 */
export function numberFlag(
  name: string,
  raw: string | undefined,
  range: NumberRange = {},
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n)) {
    throw new UsageError(`--${name} expects a number, got ${JSON.stringify(raw)}`);
  }
  if (
    (range.integer && !Number.isInteger(n)) || (range.min !== undefined && n < range.min) ||
    (range.above !== undefined && n <= range.above) || (range.max !== undefined && n > range.max)
  ) {
    throw new UsageError(`--${name} must be ${describeRange(range)}, got ${raw}`);
  }
  return n;
}

/**
 * A number flag that stands for a setting of lib/config.ts (`--batch` for
 * TILLSTREAM_WORKER_BATCH): parsed and range-checked by that setting's own rule, so the two
 * cannot drift apart; the error names the flag and the setting's range.
 */
export function settingFlag(
  name: string,
  raw: string | undefined,
  setting: keyof typeof VARS,
): number | undefined {
  if (raw === undefined) return undefined;
  const parse = VARS[setting].parse as ((raw: string) => unknown) & { expects?: string };
  const n = parse(raw);
  if (typeof n !== "number") {
    throw new UsageError(`--${name} must be ${parse.expects ?? `a valid ${setting}`}, got ${raw}`);
  }
  return n;
}
