import assert from "node:assert/strict";
import { testDb, waitFor } from "../lib/testing/services.ts";
import { connect } from "../lib/db.ts";
import { migrate, readMigrations } from "../lib/migrate.ts";
import { ensurePartitions, monthStart } from "./partitions.ts";
import { applyEvents, type DecodedEntry } from "./apply.ts";
import { FIXTURE_STORES, makeReceipts, seedStores } from "../tests/pipeline_fixtures.ts";

Deno.test("partitions - month starts in UTC", () => {
  const t = Date.parse("2026-12-31T23:30:00Z");
  assert.equal(monthStart(t), "2026-12-01");
  assert.equal(monthStart(t, 1), "2027-01-01");
  assert.equal(monthStart(t, -12), "2025-12-01");
});

Deno.test("partitions - months ahead are created and default rows move without loss", async () => {
  await using db = await testDb("partitions");
  await seedStores(db.sql);
  // History that landed in the default partition before any month partition existed.
  const old = makeReceipts({
    count: 50,
    start: Date.parse("2025-03-30T12:00:00Z"),
    stepMs: 3_600_000,
  });
  const entries: DecodedEntry[] = old.map((event, i) => ({
    stream: "s",
    id: `${i + 1}-0`,
    family: "sales",
    partition: 0,
    payload: "",
    event,
  }));
  const stores = new Map(FIXTURE_STORES.map((s) => [s.id, s]));
  await applyEvents(db, entries, { watermarks: new Map(), stores });
  const totals = (sql: typeof db.sql) =>
    sql`select (select count(*)::int from receipts) receipts,
      (select sum(total_cents)::int8 from receipts) total, (select count(*)::int from receipt_lines) lines,
      (select sum(amount_cents)::int8 from receipt_lines) amount`;
  const before = await totals(db.sql);
  const lineAmounts = old.flatMap((e) =>
    e.lines.map((l) => l.quantity * l.unit_price_cents - l.discount_cents)
  );
  assert.deepEqual([...before], [{
    receipts: 50,
    total: old.reduce((a, e) => a + e.total_cents, 0),
    lines: lineAmounts.length,
    amount: lineAmounts.reduce((a, b) => a + b, 0),
  }]);
  const created = await ensurePartitions(db.sql, Date.parse("2026-11-25T00:00:00Z"));
  assert.deepEqual(created, [
    "2025-03-01",
    "2025-04-01",
    "2026-10-01",
    "2026-11-01",
    "2026-12-01",
    "2027-01-01",
  ]);
  assert.deepEqual(await totals(db.sql), before);
  const [{ n: inDefault }] = await db.sql`select count(*)::int n from receipts_default`;
  assert.equal(inDefault, 0);
  const parts = await db.sql`select tableoid::regclass::text p, count(*)::int n from receipts
    group by 1 order by 1`;
  assert.deepEqual(parts.map((p) => p.p), ["receipts_2025_03", "receipts_2025_04"]);
  assert.deepEqual(await ensurePartitions(db.sql, Date.parse("2026-11-25T00:00:00Z")), []);
});

Deno.test("partitions - migration 0070 moves existing lines into their receipts", async () => {
  await using db = await testDb("lines_inline", { migrated: false });
  const all = await readMigrations();
  await migrate(db.sql, all.filter((m) => m.version < 70));
  await db.sql`select ensure_receipt_month('2026-11-01')`;
  // One receipt in a month partition, one in the default partition, one without lines.
  for (
    const [t, ts] of [["t1", "2026-11-20T10:00:00Z"], ["t2", "2024-01-05T10:00:00Z"], [
      "t3",
      "2026-11-21T10:00:00Z",
    ]]
  ) {
    await db.sql`insert into receipts (store_id, transaction_id, type, register_id, ts, local_date,
      currency, payment, total_cents, units) values ('S1', ${t}, 'sale', 'R1', ${ts}, ${
      ts.slice(0, 10)
    },
      'EUR', 'card', 0, 0)`;
  }
  await db.sql`insert into receipt_lines (store_id, transaction_id, ts, line_no, sku, category,
    quantity, unit_price_cents, discount_cents, amount_cents) values
    ('S1', 't1', '2026-11-20T10:00:00Z', 2, 'B', 'Fruit "&" Veg', 1, 250, 50, 200),
    ('S1', 't1', '2026-11-20T10:00:00Z', 1, 'A', 'Dairy', 3, 100, 0, 300),
    ('S1', 't2', '2024-01-05T10:00:00Z', 1, 'C', 'Bakery', 2, 10, 0, 20)`;
  await migrate(db.sql, all);
  const stored = await db.sql`select transaction_id, lines from receipts order by 1`;
  assert.deepEqual(stored.map((r) => [r.transaction_id, r.lines]), [
    ["t1", [["A", "Dairy", 3, 100, 0], ["B", 'Fruit "&" Veg', 1, 250, 50]]],
    ["t2", [["C", "Bakery", 2, 10, 0]]],
    ["t3", []],
  ]);
  const lines = await db.sql`select transaction_id, line_no, sku, category, quantity,
    unit_price_cents, discount_cents, amount_cents from receipt_lines order by 1, 2`;
  assert.deepEqual(lines.map((l) => Object.values(l)), [
    ["t1", 1, "A", "Dairy", 3, 100, 0, 300],
    ["t1", 2, "B", 'Fruit "&" Veg', 1, 250, 50, 200],
    ["t2", 1, "C", "Bakery", 2, 10, 0, 20],
  ]);
  // The replaced partition function moves the default partition's month with its lines.
  assert.deepEqual(
    await ensurePartitions(db.sql, Date.parse("2026-11-25T00:00:00Z"), {
      behind: 0,
      ahead: 0,
    }),
    ["2024-01-01"],
  );
  const [moved] = await db.sql`select tableoid::regclass::text p, lines from receipts
    where transaction_id = 't2'`;
  assert.deepEqual([moved.p, moved.lines], ["receipts_2024_01", [["C", "Bakery", 2, 10, 0]]]);
});

Deno.test("partitions - two processes creating the same month at once both succeed", async () => {
  // Worker processes started together each ensure the same months. The second waits for the
  // first's lock, then must see the month it created rather than try to create it again
  // ("relation receipts_2031_01 already exists"). Deterministic: the first holds its
  // transaction open until the second is waiting on the lock.
  await using db = await testDb("partitions_race");
  const first = connect(db.url, { max: 1 });
  const second = connect(db.url, { max: 1 });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  try {
    let created!: () => void;
    const hasLock = new Promise<void>((r) => (created = r));
    const one = first.begin(async (tx) => {
      const [r] = await tx`select ensure_receipt_month('2031-01-01') as created`;
      created(); // the month's table (uncommitted) and the creators' lock are the first's now
      await held;
      return r.created as boolean;
    });
    await hasLock;
    const two = second`select ensure_receipt_month('2031-01-01') as created`.execute();
    // The second's backend waits on the creators' lock (pg_locks is the whole server's: look at
    // this database's sessions only, other tests run beside this one).
    await waitFor(async () =>
      (await db.sql`select count(*)::int n from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'
          and wait_event = 'advisory'`)[0].n === 1, { what: "the second to wait for the lock" });
    release();
    assert.equal(await one, true);
    const [r] = await two;
    assert.equal(r.created, false);
    const [{ n }] = await db.sql`select count(*)::int n from pg_inherits
      where inhparent = 'receipts'::regclass and inhrelid = 'receipts_2031_01'::regclass`;
    assert.equal(n, 1);
  } finally {
    release(); // a failed wait must not leave the first's transaction open for ever
    await first.end({ timeout: 5 });
    await second.end({ timeout: 5 });
  }
});
