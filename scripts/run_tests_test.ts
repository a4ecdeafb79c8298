import assert from "node:assert/strict";
import { stripVTControlCharacters } from "node:util";
import { moduleOf, parseSummary, summaryLine, testModules } from "./run_tests.ts";

Deno.test("run tests - output lines name their module; summaries parse and add up", () => {
  assert.equal(moduleOf("./a/b_test.ts => one ... ok (3ms)"), "./a/b_test.ts");
  assert.equal(moduleOf("\x1b[38;5;245m./c_test.ts => \x1b[0mtwo ... ok"), "./c_test.ts");
  assert.equal(moduleOf("running 2 tests from ./d.test.ts"), "./d.test.ts");
  assert.equal(moduleOf("Check a/b_test.ts"), null);
  const a = parseSummary("ok | 328 passed (7 steps) | 0 failed | 33 ignored (4m6s)")!;
  assert.deepEqual(a, { passed: 328, failed: 0, ignored: 33, steps: 7 });
  const b = parseSummary("\x1b[31mFAILED\x1b[0m | 1 passed | 1 failed (1s)")!;
  assert.deepEqual(b, { passed: 1, failed: 1, ignored: 0, steps: 0 });
  assert.equal(parseSummary("ok | the rest"), null);
  assert.match(summaryLine(a, b), /^FAILED \| 329 passed \(7 steps\) \| 1 failed \| 33 ignored /);
});

Deno.test("run tests - finds test modules as deno test does, outside dependencies", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run_tests_" });
  try {
    for (
      const f of [
        "a_test.ts",
        "sub/b.test.tsx",
        "test.ts",
        "node_modules/x/c_test.ts",
        "vendor/d_test.ts",
        ".hidden/e_test.ts",
        "helper.ts",
        "contest.ts",
      ]
    ) {
      await Deno.mkdir(`${dir}/${f}`.replace(/\/[^/]+$/, ""), { recursive: true });
      await Deno.writeTextFile(`${dir}/${f}`, "");
    }
    assert.deepEqual(await testModules(dir), ["./a_test.ts", "./sub/b.test.tsx", "./test.ts"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run tests - a module that reports nothing in the parallel run is run again and counted", async () => {
  const dir = await Deno.makeTempDir({ prefix: "run_tests_" });
  try {
    await Deno.writeTextFile(`${dir}/a_test.ts`, 'Deno.test("a", () => {});\n');
    // Registers its test only once a marker exists, and leaves the marker on its first load: so
    // the parallel run sees no result from it, as happened with Deno 2.9.6, and the rerun does.
    await Deno.writeTextFile(
      `${dir}/b_test.ts`,
      `const marker = new URL("./marker", import.meta.url);
try {
  Deno.statSync(marker);
  Deno.test("b", () => {});
} catch {
  Deno.writeTextFileSync(marker, "");
}
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./run_tests.ts", import.meta.url).pathname],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = stripVTControlCharacters(new TextDecoder().decode(out.stdout));
    assert.equal(out.code, 0, text);
    assert.match(
      text,
      /reported no result in the parallel run: \.\/b_test\.ts\. Running them again/,
    );
    const last = text.trim().split("\n").at(-1)!;
    assert.match(
      last,
      /^ok \| 2 passed \| 0 failed \(the whole suite, with the modules run again\)$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
