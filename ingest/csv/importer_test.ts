import assert from "node:assert/strict";
import { testRuntime } from "../../lib/testing/services.ts";
import { importCsv } from "./importer.ts";
import { loadMapping } from "./mapping.ts";
import { parse } from "csv-parse/sync";

// The original UCI Online Retail layout (InvoiceNo, UnitPrice, CustomerID, M/D/YYYY dates).
const HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country";
const GOOD = [
  "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850.0,United Kingdom",
  "536365,71053,WHITE METAL LANTERN,6,12/1/2010 8:26,3.39,17850.0,United Kingdom",
  "536366,22633,HAND WARMER UNION JACK,6,12/1/2010 8:28,1.85,,United Kingdom",
  "536367,84879,ASSORTED COLOUR BIRD ORNAMENT,32,12/1/2010 8:34,1.69,13047,France",
  "C536379,D,Discount,-1,12/1/2010 9:41,27.50,14527,United Kingdom",
];
const BAD = [
  "536368,22960,JAM MAKING SET WITH JARS,6,13/45/2010 8:34,4.25,13047,United Kingdom", // bad date
  "536369,21756,BATH BUILDING BLOCK WORD,three,12/1/2010 8:35,5.95,13047,United Kingdom", // text qty
  "536370,22728,ALARM CLOCK BAKELIKE PINK,24,12/1/2010 8:45,abc,12583,France", // text price
  "536371,22727,ALARM CLOCK BAKELIKE RED", // missing columns
  "536372,B,Adjust bad debt,1,12/1/2010 9:00,-11062.06,,United Kingdom", // bad debt
  "536373,22748,POPPY'S PLAYHOUSE KITCHEN,0,12/1/2010 9:01,2.10,,United Kingdom", // zero
];

async function writeCsv(lines: string[]): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "import_test_" });
  const path = `${dir}/retail.csv`;
  await Deno.writeTextFile(path, [HEADER, ...lines].join("\n") + "\n");
  return path;
}

Deno.test("csv import - broken rows are rejected with reasons, good rows land in PostgreSQL", async () => {
  await using rt = await testRuntime("csv_broken");
  const file = await writeCsv([
    ...GOOD.slice(0, 2),
    BAD[0],
    GOOD[2],
    ...BAD.slice(1),
    ...GOOD.slice(3),
  ]);
  const rejectsPath = file.replace(/\.csv$/, ".rejects.csv");
  const mapping = await loadMapping("online-retail");
  const s = await importCsv(rt, file, { mapping, createStores: true, rejectsPath });

  assert.equal(s.rows, 11);
  assert.equal(s.receipts, 4); // 536365 (2 lines), 536366, 536367, C536379
  assert.equal(s.rejectedRows, 6);
  assert.equal(s.duplicates, 0);
  assert.equal(s.salesCents, 6 * 255 + 6 * 339 + 6 * 185 + 32 * 169);
  assert.equal(s.refundCents, 2750);
  assert.deepEqual(s.storesCreated.sort(), ["fr", "uk"]);

  const rejected = parse(await Deno.readTextFile(rejectsPath), {
    columns: true,
    relax_column_count: true,
  }) as Record<string, string>[];
  const reasons = Object.fromEntries(rejected.map((r) => [r.InvoiceNo, r.reason]));
  assert.match(reasons["536368"], /InvoiceDate: "13\/45\/2010 8:34" is not a real date/);
  assert.match(reasons["536369"], /Quantity: expected a whole number, got "three"/);
  assert.match(reasons["536370"], /UnitPrice: expected an amount with at most 2 decimals/);
  assert.match(reasons["536371"], /row has 3 fields, the header has 8/);
  assert.match(reasons["536372"], /bad-debt adjustment/);
  assert.match(reasons["536373"], /Quantity: is 0/);

  const rows = await rt.sql<{ type: string; n: number; cents: number; units: number }[]>`
    select type, count(*)::int as n, sum(total_cents)::int as cents, sum(units)::int as units
    from receipts group by type order by type`;
  assert.deepEqual(rows.map((r) => ({ ...r })), [
    { type: "refund", n: 1, cents: 2750, units: 1 },
    { type: "sale", n: 3, cents: s.salesCents, units: 50 },
  ]);
  const [uk] = await rt.sql`select name, timezone, currency from stores where id = 'uk'`;
  assert.deepEqual({ ...uk }, {
    name: "Online Retail United Kingdom",
    timezone: "Europe/London",
    currency: "GBP",
  });
  const [r] = await rt.sql`select customer_id, ts from receipts where transaction_id = '536365'`;
  assert.equal(r.customer_id, "17850");
  assert.equal((r.ts as Date).toISOString(), "2010-12-01T08:26:00.000Z");
  const [anon] = await rt.sql`select customer_id from receipts where transaction_id = '536366'`;
  assert.equal(anon.customer_id, null);
});

Deno.test("csv import - unknown stores are refused without --create-stores, and a rerun changes nothing", async () => {
  await using rt = await testRuntime("csv_stores");
  const file = await writeCsv(GOOD);
  const mapping = await loadMapping("online-retail");
  const rejectsPath = file.replace(/\.csv$/, ".rejects.csv");
  const refused = await importCsv(rt, file, { mapping, rejectsPath });
  assert.equal(refused.receipts, 0);
  assert.deepEqual(refused.storesRefused, ["fr", "uk"]);
  assert.match(await Deno.readTextFile(rejectsPath), /unknown store ""uk"": pass --create-stores/);

  const first = await importCsv(rt, file, { mapping, rejectsPath, createStores: true });
  assert.equal(first.receipts, 4);
  const second = await importCsv(rt, file, { mapping, rejectsPath, createStores: true });
  assert.equal(second.receipts, 0);
  assert.equal(second.duplicates, 4);
  assert.equal(second.salesCents, first.salesCents);
  const [{ n }] = await rt.sql`select count(*)::int as n from receipts`;
  assert.equal(n, 4);
});
