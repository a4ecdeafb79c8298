import assert from "node:assert/strict";
import { ConfigError, envExample, loadConfig, VARS } from "./config.ts";

Deno.test("config - defaults give local services on the standard ports", () => {
  const c = loadConfig({});
  assert.equal(c.DATABASE_URL, "postgres://postgres@127.0.0.1:5432/tillstream");
  assert.equal(c.REDIS_URL, "redis://127.0.0.1:6379");
  assert.equal(c.PORT, 8000);
  assert.equal(c.TILLSTREAM_PARTITIONS, 4);
  assert.equal(c.TILLSTREAM_SIMULATOR, "on");
});

Deno.test("config - values are parsed to their types", () => {
  const c = loadConfig({ PORT: "9001", TILLSTREAM_PARTITIONS: "16", TILLSTREAM_SIMULATOR: "off" });
  assert.equal(c.PORT, 9001);
  assert.equal(c.TILLSTREAM_PARTITIONS, 16);
  assert.equal(c.TILLSTREAM_SIMULATOR, "off");
});

Deno.test("config - a bad value names the variable, the value and a good example", () => {
  assert.throws(() => loadConfig({ PORT: "eighty" }), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /PORT="eighty" is not valid/);
    assert.match(e.message, /for example PORT=8000/);
    return true;
  });
  assert.throws(
    () => loadConfig({ DATABASE_URL: "mysql://localhost/x" }),
    /DATABASE_URL="mysql:\/\/localhost\/x" is not valid: expected PostgreSQL connection URL.*for example DATABASE_URL=postgres:\/\//,
  );
  assert.throws(() => loadConfig({ REDIS_URL: "not a url" }), /REDIS_URL="not a url"/);
  assert.throws(() => loadConfig({ TILLSTREAM_PARTITIONS: "0" }), /TILLSTREAM_PARTITIONS="0"/);
  assert.throws(
    () => loadConfig({ TILLSTREAM_COMPACT_MS: "5" }),
    /TILLSTREAM_COMPACT_MS="5" is not valid: .*\(a whole number from 10 to 60000\)/,
  );
  assert.throws(() => loadConfig({ PORT: "70000" }), /PORT="70000"/);
  assert.throws(
    () => loadConfig({ TILLSTREAM_SIMULATOR: "maybe" }),
    /for example TILLSTREAM_SIMULATOR=off/,
  );
});

Deno.test("config - every bad variable is reported at once", () => {
  assert.throws(() => loadConfig({ PORT: "x", REDIS_URL: "y" }), (e: Error) => {
    assert.match(e.message, /PORT="x"/);
    assert.match(e.message, /REDIS_URL="y"/);
    return true;
  });
});

Deno.test("config - .env.example lists every variable with its default", async () => {
  const file = await Deno.readTextFile(new URL("../.env.example", import.meta.url));
  assert.equal(file, envExample(), ".env.example is stale: regenerate it from lib/config.ts");
  for (const [name, spec] of Object.entries(VARS)) {
    assert.ok(file.includes(`\n${name}=${spec.default}\n`), `${name} missing from .env.example`);
  }
});
