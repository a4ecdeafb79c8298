import assert from "node:assert/strict";
import postgres from "postgres";
import { TEST_DATABASE_URL } from "./testing/services.ts";

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
