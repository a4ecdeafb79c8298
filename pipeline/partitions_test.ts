import assert from "node:assert/strict";
import { testDb } from "../lib/testing/services.ts";
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
  const before = await db.sql`select count(*)::int n, sum(total_cents)::int8 s from receipts`;
  const created = await ensurePartitions(db.sql, Date.parse("2026-11-25T00:00:00Z"));
  assert.deepEqual(created, [
    "2025-03-01",
    "2025-04-01",
    "2026-10-01",
    "2026-11-01",
    "2026-12-01",
    "2027-01-01",
  ]);
  const after = await db.sql`select count(*)::int n, sum(total_cents)::int8 s from receipts`;
  assert.deepEqual(after, before);
  const [{ n: inDefault }] = await db.sql`select count(*)::int n from receipts_default`;
  assert.equal(inDefault, 0);
  const parts = await db.sql`select tableoid::regclass::text p, count(*)::int n from receipt_lines
    group by 1 order by 1`;
  assert.deepEqual(parts.map((p) => p.p), ["receipt_lines_2025_03", "receipt_lines_2025_04"]);
  assert.deepEqual(await ensurePartitions(db.sql, Date.parse("2026-11-25T00:00:00Z")), []);
});
