/**
 * The arguments a test or a benchmark starts a Deno subprocess with: `deno run -A` that leaves
 * node_modules as it is (the parent process has set it up before it starts one), so that
 * subprocesses started in parallel never write to it. Until 2026-12-05 they did: every Deno
 * process re-created the then linked postgres package in node_modules/.deno, and a parallel test
 * module loading postgres.js in that moment failed with ERR_MODULE_NOT_FOUND. postgres.js is now
 * imported from vendor/postgres as source (its PATCHES.md), which removed that cause.
 */
export const DENO_RUN = ["run", "-A", "--node-modules-dir=manual"] as const;
