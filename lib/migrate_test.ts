import assert from "node:assert/strict";
import { migrate, MigrationError, migrationStatus, readMigrations } from "./migrate.ts";
import { testDb } from "./testing/services.ts";

async function tempMigrations(files: Record<string, string>): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ts_migrations_" });
  for (const [name, sql] of Object.entries(files)) await Deno.writeTextFile(`${dir}/${name}`, sql);
  return dir;
}

Deno.test("migrate - project migrations apply on an empty database and are then current", async () => {
  await using db = await testDb("migrate_project", { migrated: false });
  const applied = await migrate(db.sql);
  const files = await readMigrations();
  assert.deepEqual(applied, files.map((m) => m.version));
  assert.deepEqual(await migrate(db.sql), []);
  const status = await migrationStatus(db.sql);
  assert.equal(status.current, true);
});

Deno.test("migrate - files apply in numeric order, each recorded with its checksum", async () => {
  await using db = await testDb("migrate_order", { migrated: false });
  const dir = await tempMigrations({
    "0002_second.sql": "insert into log_order values (2);",
    "0001_first.sql": "create table log_order (n int); insert into log_order values (1);",
    "0010_tenth.sql": "insert into log_order values (10);",
  });
  const ms = await readMigrations(dir);
  assert.deepEqual(await migrate(db.sql, ms), [1, 2, 10]);
  const rows = await db.sql`select n from log_order`;
  assert.deepEqual(rows.map((r) => r.n), [1, 2, 10]);
  const rec = await db.sql`select version, checksum from schema_migrations order by version`;
  assert.deepEqual(rec.map((r) => r.version), [1, 2, 10]);
  assert.match(rec[0].checksum, /^[0-9a-f]{64}$/);
});

Deno.test("migrate - an edited, already applied migration is an error that says so", async () => {
  await using db = await testDb("migrate_edit", { migrated: false });
  const dir = await tempMigrations({ "0001_first.sql": "create table t1 (n int);" });
  await migrate(db.sql, await readMigrations(dir));
  await Deno.writeTextFile(`${dir}/0001_first.sql`, "create table t1 (n bigint);");
  const edited = await readMigrations(dir);
  await assert.rejects(() => migrate(db.sql, edited), (e: Error) => {
    assert.ok(e instanceof MigrationError);
    assert.match(e.message, /0001_first\.sql was edited after it was applied/);
    assert.match(e.message, /new migration file/);
    return true;
  });
});

Deno.test("migrate - a failing migration rolls back alone and names the file", async () => {
  await using db = await testDb("migrate_fail", { migrated: false });
  const dir = await tempMigrations({
    "0001_ok.sql": "create table ok1 (n int);",
    "0002_bad.sql": "create table bad (n int); select no_such_function();",
  });
  await assert.rejects(
    () => readMigrations(dir).then((m) => migrate(db.sql, m)),
    /0002_bad\.sql failed/,
  );
  const [{ ok, bad }] = await db.sql`select to_regclass('ok1') is not null as ok,
                                            to_regclass('bad') is not null as bad`;
  assert.equal(ok, true, "the good migration before it stays applied");
  assert.equal(bad, false, "the failing migration leaves nothing behind");
});

Deno.test("migrate - concurrent runs apply each migration exactly once", async () => {
  await using db = await testDb("migrate_lock", { migrated: false });
  const dir = await tempMigrations({
    "0001_a.sql": "create table counter (n int); insert into counter values (0);",
    "0002_b.sql": "select pg_sleep(0.2); update counter set n = n + 1;",
    "0003_c.sql": "update counter set n = n + 10;",
  });
  const ms = await readMigrations(dir);
  const results = await Promise.all([1, 2, 3, 4].map(() => migrate(db.sql, ms)));
  assert.deepEqual(results.flat().sort(), [1, 2, 3]);
  const [{ n }] = await db.sql`select n from counter`;
  assert.equal(n, 11);
});

Deno.test("migrate - a misnamed file is refused with the expected pattern", async () => {
  const dir = await tempMigrations({ "1_first.sql": "select 1;" });
  await assert.rejects(() => readMigrations(dir), /use NNNN_snake_name\.sql/);
});

Deno.test("migrate - 0080 fills register_day from the receipts recorded before it", async () => {
  await using db = await testDb("register_day_backfill", { migrated: false });
  const all = await readMigrations();
  await migrate(db.sql, all.filter((m) => m.version < 80));
  const receipts: [string, string, string, string, number][] = [
    ["t1", "sale", "R1", "2026-11-20T10:00:00Z", 1250],
    ["t2", "sale", "R1", "2026-11-20T11:00:00Z", 300],
    ["t3", "refund", "R1", "2026-11-20T12:00:00Z", 200],
    ["t4", "refund", "R2", "2026-11-20T09:00:00Z", 50],
    ["t5", "sale", "R2", "2026-11-21T09:00:00Z", 700],
  ];
  for (const [t, type, register, ts, total] of receipts) {
    await db.sql`insert into receipts (store_id, transaction_id, type, register_id, ts,
      local_date, currency, payment, total_cents, units, lines)
      values ('S1', ${t}, ${type}, ${register}, ${ts}, ${ts.slice(0, 10)}, 'EUR', 'card',
        ${total}, 1, '[]')`;
  }
  await migrate(db.sql, all);
  const rows = await db.sql`select day::text, register_id, transactions, sales_cents, refunds,
    refund_cents, last_at from register_day where store_id = 'S1' order by 1, 2`;
  assert.deepEqual(
    rows.map((r) => [...Object.values(r).slice(0, 6), r.last_at.toISOString()]),
    [
      ["2026-11-20", "R1", 2, 1550, 1, 200, "2026-11-20T12:00:00.000Z"],
      ["2026-11-20", "R2", 0, 0, 1, 50, "2026-11-20T09:00:00.000Z"],
      ["2026-11-21", "R2", 1, 700, 0, 0, "2026-11-21T09:00:00.000Z"],
    ],
  );
});
