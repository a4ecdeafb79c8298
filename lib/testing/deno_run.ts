/**
 * The arguments a test or a benchmark starts a Deno subprocess with: `deno run -A` that leaves
 * node_modules as it is. Without `--node-modules-dir=manual` every Deno process re-creates the
 * linked postgres package (deno.json "links") in node_modules/.deno when it starts, deleting its
 * files for a moment; a module of the parallel test run that loads postgres.js in that moment
 * fails with ERR_MODULE_NOT_FOUND and reports no result (seen in CI: "Cannot find module
 * …/postgres/src/result.js"). The parent process has set node_modules up before it starts one.
 */
export const DENO_RUN = ["run", "-A", "--node-modules-dir=manual"] as const;
