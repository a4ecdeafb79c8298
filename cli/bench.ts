/**
 * `deno task bench <name> [args]`: runs `bench/<name>.ts`, a module exporting
 * `run(args: string[]): Promise<number | void>`. New benchmarks need no edit here: drop a file
 * in bench/ and it is listed and runnable.
 */
import { runCli, UsageError } from "./args.ts";

const BENCH_DIR = new URL("../bench/", import.meta.url);

/** Names of the available benchmarks (bench/*.ts, tests excluded). */
export async function benchNames(): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(BENCH_DIR)) {
      if (e.isFile && e.name.endsWith(".ts") && !e.name.endsWith("_test.ts")) {
        names.push(e.name.slice(0, -3));
      }
    }
  } catch { /* no bench folder yet */ }
  return names.sort();
}

async function usage(): Promise<string> {
  return `usage: deno task bench <${(await benchNames()).join("|")}> [--seconds N] [--json] [...]`;
}

/** Dispatches to the named benchmark module. */
export async function bench(args: string[]): Promise<number | void> {
  const [name, ...rest] = args;
  const names = await benchNames();
  if (!name) throw new UsageError("which benchmark? name one");
  if (!names.includes(name)) {
    throw new UsageError(`unknown benchmark "${name}"; available: ${names.join(", ")}`);
  }
  const mod = await import(new URL(`${name}.ts`, BENCH_DIR).href);
  if (typeof mod.run !== "function") {
    throw new Error(`bench/${name}.ts does not export run(args)`);
  }
  return await mod.run(rest);
}

if (import.meta.main) {
  await runCli("bench", await usage(), bench);
}
