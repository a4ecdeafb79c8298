import assert from "node:assert/strict";
import postgres from "postgres";
import { TEST_DATABASE_URL } from "./testing/services.ts";
import { tcpProxy } from "./testing/tcp_proxy.ts";

Deno.test("db - a connection whose type lookup fails does not end the process", async () => {
  // postgres.js looks up array types as the first query of every connection and, unpatched,
  // drops that query's promise: when it fails (here cancelled by a 1 ms statement_timeout; in
  // the PostgreSQL outage test, the backend terminated), the rejection is unhandled and ends
  // the process. vendor/postgres/PATCHES.md has the patch.
  let unhandled = 0;
  const count = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    unhandled++;
  };
  globalThis.addEventListener("unhandledrejection", count);
  try {
    for (let i = 0; i < 5; i++) {
      const sql = postgres(TEST_DATABASE_URL, {
        max: 1,
        connection: { statement_timeout: 1 },
        onnotice: () => {},
      });
      // The query itself may fail or succeed; what matters is that nothing escapes.
      await sql`select 1`.catch(() => {});
      await sql.end();
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(unhandled, 0, "an unhandled rejection escaped postgres.js");
  } finally {
    globalThis.removeEventListener("unhandledrejection", count);
  }
});

Deno.test("db - a transaction's BEGIN goes out with its first statement, and it still commits or rolls back whole", async () => {
  // postgres.js waits for BEGIN's reply before it runs the transaction's callback, a round trip
  // per transaction; the patch in vendor/postgres/PATCHES.md sends the first statements right
  // behind BEGIN. Round trips are counted by a loopback proxy in front of PostgreSQL.
  const url = new URL(TEST_DATABASE_URL);
  await using proxy = tcpProxy({ hostname: url.hostname, port: Number(url.port || 5432) });
  url.hostname = "127.0.0.1";
  url.port = String(proxy.port);
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql`create temporary table t (x int)`; // also connects and looks up array types
    const before = proxy.roundTrips;
    const [{ n }] = await sql.begin((tx) => tx<{ n: number }[]>`select 2 as n`);
    assert.equal(n, 2);
    assert.equal(proxy.roundTrips - before, 2, "BEGIN with the select, then COMMIT");

    await assert.rejects(
      sql.begin(async (tx) => {
        await tx`insert into t values (1)`;
        throw new Error("the callback failed");
      }),
      /the callback failed/,
    );
    await sql.begin((tx) => [tx`insert into t values (2)`, tx`insert into t values (3)`]);
    await assert.rejects(
      sql.begin((tx) => [tx`insert into t values (4)`, tx`select 1 / 0`]),
      /division by zero/,
    );
    const rows = await sql<{ x: number }[]>`select x from t order by x`;
    assert.deepEqual(rows.map((r) => r.x), [2, 3]);
  } finally {
    await sql.end();
  }
});

Deno.test("db - reconnecting after the backoff has passed prints no TimeoutNegativeWarning", async () => {
  // The connection is closed by the server, and the next query comes after the reconnect
  // backoff (a few ms for a first retry) has run out: unpatched, postgres.js then passes a
  // negative delay to setTimeout and the runtime prints a warning. vendor/postgres/PATCHES.md.
  const process = (await import("node:process")).default;
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  const sql = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    const [{ pid }] = await sql`select pg_backend_pid() as pid`;
    await admin`select pg_terminate_backend(${pid})`;
    // Well past the backoff, so the reconnect is already due when the next query asks for it.
    await new Promise((r) => setTimeout(r, 300));
    await sql`select 1`.catch(() => {}); // may fail on the dead connection; then it reconnects
    const [{ ok }] = await sql`select 1 as ok`;
    assert.equal(ok, 1);
    await new Promise((r) => setTimeout(r, 20)); // warnings are emitted on the next tick
    assert.deepEqual(warnings.filter((w) => w.startsWith("TimeoutNegativeWarning")), []);
  } finally {
    process.off("warning", onWarning);
    await sql.end();
    await admin.end();
  }
});

Deno.test("db - postgres.js is the patched source in vendor/postgres, not a copy in node_modules", () => {
  // A linked package is copied into node_modules afresh by every Deno process and Web Worker that
  // starts, and a module loading it in that moment fails (vendor/postgres/PATCHES.md).
  assert.match(import.meta.resolve("postgres"), /\/vendor\/postgres\/src\/index\.js$/);
  const config = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)));
  assert.equal(config.links, undefined, 'deno.json has "links" again');
});
