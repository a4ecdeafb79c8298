import assert from "node:assert/strict";
import { testDb } from "../lib/testing/services.ts";
import { intArray, linesArray, textArray } from "./pg_arrays.ts";

Deno.test("pg arrays - text and integer literals round-trip through PostgreSQL exactly", async () => {
  await using db = await testDb("pg_arrays", { migrated: false });
  const texts = [
    "plain",
    "",
    "NULL",
    'quote " inside',
    "back\\slash",
    "comma, {brace} and space",
    "tab\tnew\nline",
    "ünïcødé €",
    null,
  ];
  const ints = [0, -1, 1795612628407, 9007199254740991, null];
  const rows = await db.sql<{ t: string | null }[]>`
    select t from unnest(${textArray(texts)}::text[]) with ordinality as u(t, i) order by i`;
  assert.deepEqual(rows.map((r) => r.t), texts);
  const nums = await db.sql<{ n: string | null }[]>`
    select n::text from unnest(${intArray(ints)}::int8[]) with ordinality as u(n, i) order by i`;
  assert.deepEqual(nums.map((r) => r.n), ints.map((n) => (n === null ? null : String(n))));
  assert.equal(textArray([]), "{}");
});

Deno.test("pg arrays - a non-integer is refused by PostgreSQL with a data error", async () => {
  await using db = await testDb("pg_arrays_bad", { migrated: false });
  for (const bad of [12.5, 1e20, NaN]) {
    await assert.rejects(
      db.sql`select unnest(${intArray([1, bad])}::int8[])`,
      (e: { code?: string }) => e.code?.slice(0, 2) === "22",
    );
  }
});

Deno.test("pg arrays - receipt lines become the JSON PostgreSQL stores, whatever the text", async () => {
  await using db = await testDb("pg_arrays_lines", { migrated: false });
  const line = (sku: string, category: string, quantity: number, price: number, discount = 0) => ({
    sku,
    category,
    quantity,
    unit_price_cents: price,
    discount_cents: discount,
  });
  const receipts = [
    { lines: [line("SKU-1", "Dairy", 2, 349), line("A:1/2#x", "Fruit & Veg", -1, 99, 10)] },
    { lines: [line("S", 'quote " inside', 1, 0), line("S", "back\\slash, {brace}", 3, 5)] },
    { lines: [line("ü", "ünïcødé € tab\tnew\nline NULL", 1, 9007199254740991, 1)] },
    { lines: [] },
  ];
  const rows = await db.sql<{ j: unknown }[]>`
    select j from unnest(${linesArray(receipts)}::json[]) with ordinality as u(j, i) order by i`;
  assert.deepEqual(
    rows.map((r) => r.j),
    receipts.map((r) =>
      r.lines.map((l) => [l.sku, l.category, l.quantity, l.unit_price_cents, l.discount_cents])
    ),
  );
  assert.equal(linesArray([]), "{}");
});
