import assert from "node:assert/strict";
import { keysCommand } from "./keys.ts";
import { storesCommand } from "./stores.ts";
import { numberFlag, settingFlag, table } from "./args.ts";
import { verifyKey } from "../lib/connector_keys.ts";
import { testRuntime } from "../lib/testing/services.ts";
import { DENO_RUN } from "../lib/testing/deno_run.ts";

Deno.test("cli keys - create --json, list, revoke", async () => {
  await using rt = await testRuntime("cli_keys");
  const made = JSON.parse(
    await keysCommand(rt, [
      "create",
      "--name",
      "pos-a",
      "--store",
      "s1",
      "--store",
      "s2",
      "--json",
    ]),
  );
  assert.deepEqual(Object.keys(made), ["id", "key"]);
  assert.match(made.key, /^tsk_[A-Za-z0-9_-]{43}$/);
  const [row] = await rt.sql`select key_hash, stores from connector_keys where id = ${made.id}`;
  assert.notEqual(row.key_hash, made.key);
  assert.match(row.key_hash, /^[0-9a-f]{64}$/);
  assert.deepEqual(row.stores, ["s1", "s2"]);
  assert.deepEqual([...(await verifyKey(rt, made.key))!.stores!], ["s1", "s2"]);
  const limited = await keysCommand(rt, ["create", "--name", "x", "--store", "nowhere"]);
  assert.match(limited, /Note: nowhere is not registered yet; events are refused until/);
  const human = await keysCommand(rt, ["create", "--name", "all-stores"]);
  assert.match(human, /^created connector key ck_\S+ \(all-stores\) for every store\n\n {2}tsk_/);
  const list = JSON.parse(await keysCommand(rt, ["list", "--json"]));
  assert.equal(list.length, 3);
  assert.equal(list.some((k: Record<string, unknown>) => "key_hash" in k), false);
  assert.equal(
    await keysCommand(rt, ["revoke", made.id]),
    `revoked ${made.id}; running servers refuse it within 2 s`,
  );
  assert.equal(await keysCommand(rt, ["revoke", made.id]), `${made.id} was already revoked`);
  const text = await keysCommand(rt, ["list"]);
  assert.match(text, new RegExp(`${made.id}\\s+pos-a\\s+s1,s2\\s+revoked`));
  await assert.rejects(
    keysCommand(rt, ["revoke", "ck_none"]),
    /no connector key with id "ck_none"; see: deno task keys list/,
  );
  await assert.rejects(keysCommand(rt, ["create"]), /keys create needs --name/);
  await assert.rejects(
    keysCommand(rt, ["create", "--name", "x", "--bogus"]),
    /Unknown option '--bogus'/,
  );
});

Deno.test("cli stores - add with every flag, list as table and JSON", async () => {
  await using rt = await testRuntime("cli_stores");
  assert.match(
    await storesCommand(rt, ["list"]),
    /^no stores yet; add one with: deno task stores add/,
  );
  const out = await storesCommand(rt, [
    "add",
    "--id",
    "lyon-02",
    "--name",
    "Lyon Part-Dieu",
    "--timezone",
    "Europe/Paris",
    "--city",
    "Lyon",
    "--region",
    "ARA",
    "--country",
    "FR",
    "--lat",
    "45.76",
    "--lon",
    "4.86",
    "--currency",
    "EUR",
    "--hours",
    '{"mon":["09:00","20:00"],"sun":null}',
  ]);
  assert.equal(out, "store lyon-02 saved (Lyon Part-Dieu, Europe/Paris, EUR)");
  const [s] = JSON.parse(await storesCommand(rt, ["list", "--json"]));
  assert.deepEqual(s, {
    id: "lyon-02",
    name: "Lyon Part-Dieu",
    city: "Lyon",
    region: "ARA",
    country: "FR",
    lat: 45.76,
    lon: 4.86,
    timezone: "Europe/Paris",
    currency: "EUR",
    opening_hours: { mon: ["09:00", "20:00"], sun: null },
  });
  assert.match(
    await storesCommand(rt, ["list"]),
    /^ID\s+NAME\s+CITY.*\nlyon-02\s+Lyon Part-Dieu\s+Lyon\s+ARA\s+FR/,
  );
  await assert.rejects(
    storesCommand(rt, ["add", "--id", "x", "--name", "X"]),
    /stores add needs --timezone/,
  );
  await assert.rejects(
    storesCommand(rt, ["add", "--id", "x", "--name", "X", "--timezone", "Nowhere/City"]),
    /time zone "Nowhere\/City" is not an IANA zone/,
  );
  await assert.rejects(
    storesCommand(rt, ["add", "--id", "x", "--name", "X", "--timezone", "UTC", "--lat", "north"]),
    /--lat expects a number, got "north"/,
  );
  await assert.rejects(storesCommand(rt, ["remove"]), /unknown command "remove"/);
});

Deno.test("cli - entry points exit 2 with usage on bad arguments, before connecting", async () => {
  for (
    const [file, args, re] of [
      ["cli/keys.ts", ["create"], /keys: keys create needs --name[^]*usage:/],
      ["cli/stores.ts", ["frobnicate"], /stores: unknown command "frobnicate"[^]*usage:/],
      ["cli/dlq.ts", ["purge"], /dlq: dlq purge needs --before <time>[^]*usage:/],
      [
        "cli/bench.ts",
        ["pipeline", "--consumers", "0"],
        /bench: --consumers must be a whole number from 1 to 64, got 0[^]*usage:/,
      ],
    ] as const
  ) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [...DENO_RUN, new URL(`../${file}`, import.meta.url).pathname, ...args],
      env: { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", TILLSTREAM_LOCAL_SERVICES: "off" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 2, file);
    assert.match(new TextDecoder().decode(out.stderr), re);
  }
});

Deno.test("cli - table aligns columns and shortens long cells", () => {
  assert.equal(
    table([{ a: "x", b: null }, { a: "longer", b: "y".repeat(10) }], ["a", "b"], 5),
    ["A      B", "x      -", "long…  yyyy…"].join("\n"),
  );
});

Deno.test("cli - number flags name the flag, the value and what it takes", () => {
  assert.equal(numberFlag("rate", undefined, { above: 0 }), undefined);
  assert.equal(numberFlag("rate", "2.5", { above: 0 }), 2.5);
  assert.throws(() => numberFlag("rate", "fast"), /--rate expects a number, got "fast"/);
  assert.throws(
    () => numberFlag("rate", "0", { above: 0 }),
    /--rate must be a number above 0, got 0/,
  );
  assert.throws(
    () => numberFlag("batch", "1.5", { integer: true, min: 1, max: 100 }),
    /--batch must be a whole number from 1 to 100, got 1.5/,
  );
  assert.throws(
    () => numberFlag("limit", "-3", { integer: true, min: 1 }),
    /--limit must be a whole number of at least 1, got -3/,
  );
});

Deno.test("cli - a flag that stands for a setting takes that setting's range", () => {
  assert.equal(settingFlag("batch", "500", "TILLSTREAM_WORKER_BATCH"), 500);
  assert.equal(settingFlag("batch", undefined, "TILLSTREAM_WORKER_BATCH"), undefined);
  assert.throws(
    () => settingFlag("compact-every", "5", "TILLSTREAM_COMPACT_MS"),
    /--compact-every must be a whole number from 10 to 60000, got 5/,
  );
});
