/**
 * The test suite (`deno task test`, after scripts/test_setup.ts): `deno test -A --parallel`,
 * then a check that every test module of the project reported.
 *
 * Why the check: on 2026-12-04 one of four full runs under Deno 2.9.6 ended
 * "ok | 328 passed | 0 failed" while a whole module (ingest/csv/importer_test.ts, 2 tests) had
 * printed no result at all; the other three runs reported 78 of 78 modules. A module that runs
 * nothing must not pass unseen. So after the parallel run, the modules that reported nothing are
 * named and run again on their own, and a last summary line, in `deno test`'s form, counts the
 * whole suite (.ci/run reads the last such line). One cause, found on 2026-12-05 and removed: every
 * Deno process (and Web Worker) re-created the then linked postgres package in node_modules
 * while other modules were loading it; postgres.js is now imported from vendor/postgres as plain
 * source (vendor/postgres/PATCHES.md). The check stays for any other.
 *
 * With arguments (`deno task test pipeline/`, `--filter …`) they go to `deno test` as they are,
 * and no check is made: a filter legitimately leaves modules without results.
 */
import { readdir } from "node:fs/promises";
import { stripVTControlCharacters } from "node:util";

/** What one `deno test` run printed: the modules that reported, and its summary. */
export interface RunResult {
  code: number;
  modules: Set<string>;
  summary: Summary | null;
}

/** The counts of a `deno test` summary line. */
export interface Summary {
  passed: number;
  failed: number;
  ignored: number;
  steps: number;
}

/**
 * The module a line of `deno test` output speaks for: `./a/b_test.ts => name ... ok` (parallel)
 * or `running 3 tests from ./a/b_test.ts` (one module at a time); null for other lines.
 */
export function moduleOf(line: string): string | null {
  const plain = stripVTControlCharacters(line);
  const m = /^(\.\/\S+) => /.exec(plain) ?? /^running \d+ tests? from (\.\/\S+)/.exec(plain);
  return m ? m[1] : null;
}

/** The counts of `deno test`'s summary line (`ok | 12 passed (3 steps) | 0 failed | 1 ignored …`). */
export function parseSummary(line: string): Summary | null {
  const plain = stripVTControlCharacters(line);
  if (!/^(ok|FAILED) \| \d+ passed/.test(plain)) return null;
  const n = (re: RegExp) => Number(re.exec(plain)?.[1] ?? 0);
  return {
    passed: n(/(\d+) passed/),
    failed: n(/(\d+) failed/),
    ignored: n(/(\d+) ignored/),
    steps: n(/passed \((\d+) steps?\)/),
  };
}

/** One summary line for two runs, in `deno test`'s form. */
export function summaryLine(a: Summary, b: Summary): string {
  const passed = a.passed + b.passed, failed = a.failed + b.failed;
  const steps = a.steps + b.steps, ignored = a.ignored + b.ignored;
  return `${failed ? "FAILED" : "ok"} | ${passed} passed${
    steps ? ` (${steps} step${steps === 1 ? "" : "s"})` : ""
  } | ${failed} failed${
    ignored ? ` | ${ignored} ignored` : ""
  } (the whole suite, with the modules run again)`;
}

/**
 * The test modules `deno test` finds under `root`: files named `*_test`, `*.test` or `test`
 * with a script extension, outside node_modules/, .data/, vendor/ and hidden folders.
 */
export async function testModules(root: string): Promise<string[]> {
  const skip = /^(node_modules|\.data|vendor)\/|(^|\/)\./;
  const test = /(^|\/)([\w.-]*[_.])?test\.(ts|tsx|mts|js|mjs|jsx)$/;
  return (await readdir(root, { recursive: true }))
    .filter((p) => !skip.test(p) && test.test(p))
    .map((p) => `./${p}`)
    .sort();
}

/** Runs `deno <args>`, passing its output through while noting modules and the summary. */
export async function runDeno(args: string[], cwd?: string): Promise<RunResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const modules = new Set<string>();
  let summary: Summary | null = null;
  let rest = "";
  const decoder = new TextDecoder();
  const take = (line: string) => {
    const m = moduleOf(line);
    if (m) modules.add(m);
    summary = parseSummary(line) ?? summary;
  };
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = lines.pop()!;
    lines.forEach(take);
  }
  if (rest) take(rest);
  return { code: (await child.status).code, modules, summary };
}

/** Runs the suite; returns the exit code. */
export async function main(args: string[], cwd = Deno.cwd()): Promise<number> {
  const first = await runDeno(["test", "-A", "--parallel", ...args], cwd);
  if (args.length) return first.code;
  const missing = (await testModules(cwd)).filter((m) => !first.modules.has(m));
  if (missing.length === 0) return first.code;
  console.log(
    `\ntest: ${missing.length} module(s) reported no result in the parallel run: ${
      missing.join(", ")
    }. Running them again on their own.\n`,
  );
  const again = await runDeno(["test", "-A", ...missing], cwd);
  const still = missing.filter((m) => !again.modules.has(m));
  if (still.length) console.log(`\ntest: still no result from ${still.join(", ")}`);
  if (first.summary && again.summary) console.log(`\n${summaryLine(first.summary, again.summary)}`);
  return first.code || again.code || (still.length ? 1 : 0);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
