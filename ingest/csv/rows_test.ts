import assert from "node:assert/strict";
import fc from "fast-check";
import { bindMapping, loadMapping, MappingError, parseMapping } from "./mapping.ts";
import { rowMapper, type StoreRef } from "./rows.ts";
import { ReceiptGrouper } from "./grouper.ts";
import { localToInstant } from "../../lib/timezone.ts";
import { validateEvent } from "../../lib/events.ts";

const HEADER = [
  "Invoice",
  "StockCode",
  "Description",
  "Quantity",
  "InvoiceDate",
  "Price",
  "Customer ID",
  "Country",
];
const uk: StoreRef = { id: "uk", timezone: "Europe/London", currency: "GBP" };

async function retailMapper() {
  const bound = bindMapping(await loadMapping("online-retail"), HEADER);
  return rowMapper(bound, () => uk);
}

Deno.test("csv rows - Online Retail rows map to lines; cancellations become refunds with positive quantities", async () => {
  const map = await retailMapper();
  const sale = map([
    "489434",
    "85048",
    "15CM CHRISTMAS GLASS BALL 20 LIGHTS",
    "12",
    "2009-12-01 07:45:00",
    "6.95",
    "13085",
    "United Kingdom",
  ]);
  assert.ok(sale.ok);
  assert.equal(sale.line.type, "sale");
  assert.equal(sale.line.cents, 8340);
  assert.equal(sale.line.category, "Christmas");
  assert.equal(sale.line.timestamp, "2009-12-01T07:45:00+00:00");
  assert.equal(sale.line.customerId, "13085");
  const cancel = map([
    "C489449",
    "22087",
    "PAPER BUNTING WHITE LACE",
    "-12",
    "2010-06-01 10:28:00",
    "2.95",
    "16321",
    "Australia",
  ]);
  assert.ok(cancel.ok);
  assert.equal(cancel.line.type, "refund");
  assert.equal(cancel.line.quantity, 12);
  assert.equal(cancel.line.timestamp, "2010-06-01T10:28:00+01:00"); // BST
  const neg = map([
    "489464",
    "21733",
    "85123a mixed",
    "-96",
    "2009-12-01 10:52:00",
    "0.0",
    "",
    "United Kingdom",
  ]);
  assert.ok(neg.ok);
  assert.equal(neg.line.type, "refund");
  assert.equal(neg.line.customerId, undefined);
  const fee = map([
    "489439",
    "POST",
    "POSTAGE",
    "3",
    "2009-12-01 09:28:00",
    "18.00",
    "12682",
    "France",
  ]);
  assert.ok(fee.ok && fee.line.category === "Fees & Services");
  const spaced = map([
    "489440",
    "BANK CHARGES",
    "Bank Charges",
    "1",
    "2009-12-01 09:28:00",
    "15.00",
    "",
    "United Kingdom",
  ]);
  assert.ok(spaced.ok && spaced.line.sku === "BANK_CHARGES");
});

Deno.test("csv rows - bad rows are rejected with a reason naming the column", async () => {
  const map = await retailMapper();
  const row = (over: Partial<Record<number, string>>) => {
    const r = ["1", "A1", "THING", "2", "2010-01-01 10:00:00", "1.50", "", "United Kingdom"];
    for (const [i, v] of Object.entries(over)) r[Number(i)] = v!;
    return map(r);
  };
  const reason = (over: Partial<Record<number, string>>) => {
    const r = row(over);
    assert.ok(!r.ok);
    return r.reason;
  };
  assert.match(reason({ 3: "two" }), /^Quantity: expected a whole number, got "two"/);
  assert.match(reason({ 3: "0" }), /^Quantity: is 0/);
  assert.match(reason({ 3: "20000" }), /^Quantity: 20000 is beyond the contract's limit of ±10000/);
  assert.match(
    reason({ 5: "0.001" }),
    /^Price: expected an amount with at most 2 decimals \(GBP\)/,
  );
  assert.match(reason({ 5: "-11062.06" }), /^Price: -11062.06 is negative/);
  assert.match(
    reason({ 4: "2010-02-30 10:00:00" }),
    /^InvoiceDate: "2010-02-30 10:00:00" is not a real date/,
  );
  assert.match(
    reason({ 4: "yesterday" }),
    /^InvoiceDate: expected a date like 2009-12-01 07:45:00/,
  );
  assert.match(reason({ 1: "B" }), /bad-debt adjustment/);
  assert.match(reason({ 0: "" }), /^Invoice: is empty/);
  assert.ok(row({}).ok);
});

Deno.test("csv rows - arbitrary records never crash the mapper; what passes is a valid receipt", async () => {
  const map = await retailMapper();
  // Each column: plausible values or noise, so some records pass and get checked end to end.
  const col = (...ok: string[]) => fc.oneof(fc.constantFrom(...ok), fc.string({ maxLength: 20 }));
  const record = fc.tuple(
    col("489434", "C489449", "A 1", ""),
    col("85048", "POST", "BANK CHARGES", "B"),
    col("GLASS BALL", "", "PAPER BAG"),
    col("1", "-3", "12", "0", "1e3", "9999999"),
    col("2010-01-01 10:00:00", "12/1/2010 8:26", "2010-03-28T01:30:00+01:00", "2010-13-01 10:00"),
    col("2.50", "0.10", "0.001", "-1", "7"),
    col("13085.0", "", "12 34"),
    col("United Kingdom", "France"),
  );
  let passed = 0;
  fc.assert(
    fc.property(record, (rec) => {
      const r = map(rec);
      if (!r.ok) return typeof r.reason === "string" && r.reason.length > 0;
      const grouper = new ReceiptGrouper(10);
      grouper.add(r.line, { row: 2, record: [...rec] });
      const [receipt] = grouper.flush();
      if (!receipt) return true;
      passed++;
      return validateEvent(receipt.event, { now: Date.now() + 1e13 }).ok;
    }),
    { numRuns: 3000, seed: 42 },
  );
  assert.ok(passed > 0, "some generated records were valid");
});

Deno.test("csv rows - valid rows round-trip: quantity × price in cents, exact", async () => {
  const map = await retailMapper();
  fc.assert(
    fc.property(
      fc.integer({ min: -10_000, max: 10_000 }).filter((q) => q !== 0),
      fc.integer({ min: 0, max: 99_999_99 }),
      (q, cents) => {
        const price = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
        const r = map([
          "7",
          "X1",
          "",
          String(q),
          "2010-03-28 01:30:00",
          price,
          "",
          "United Kingdom",
        ]);
        return r.ok && r.line.cents === Math.abs(q) * cents && r.line.quantity === Math.abs(q) &&
          r.line.type === (q < 0 ? "refund" : "sale");
      },
    ),
    { numRuns: 300, seed: 7 },
  );
});

Deno.test("csv grouping - invoices regroup within the window; mixed signs and long invoices split deterministically", async () => {
  const map = await retailMapper();
  const line = (inv: string, sku: string, q = 1) => {
    const r = map([inv, sku, "", String(q), "2010-01-01 10:00:00", "1.00", "", "United Kingdom"]);
    assert.ok(r.ok, r.ok ? "" : r.reason);
    return r.line;
  };
  const g = new ReceiptGrouper(3);
  const out = [
    ...g.add(line("1", "A"), { row: 2, record: [] }),
    ...g.add(line("2", "K"), { row: 3, record: [] }),
    ...g.add(line("1", "C"), { row: 4, record: [] }), // back within the window
    ...g.add(line("1", "D", -2), { row: 5, record: [] }), // a negative line in a sale invoice
  ];
  assert.equal(out.length, 0);
  for (let i = 0; i < 4; i++) out.push(...g.add(line(`x${i}`, "E"), { row: 6 + i, record: [] }));
  const closed = out.filter((r) => ["1", "1#R", "2"].includes(r.event.transaction_id as string));
  assert.deepEqual(closed.map((r) => [r.event.transaction_id, r.event.type, r.rows.length]), [
    ["2", "sale", 1],
    ["1", "sale", 2],
    ["1#R", "refund", 1],
  ]);
  // An invoice reappearing after it closed continues as #2.
  out.push(...g.add(line("2", "F"), { row: 20, record: [] }), ...g.flush());
  assert.ok(out.some((r) => r.event.transaction_id === "2#2"));

  const long = new ReceiptGrouper();
  for (let i = 0; i < 675; i++) long.add(line("9", `S${i}`), { row: i + 2, record: [] });
  const parts = long.flush();
  assert.deepEqual(
    parts.map((p) => [p.event.transaction_id, (p.event.lines as unknown[]).length]),
    [
      ["9", 500],
      ["9#2", 175],
    ],
  );
});

Deno.test("csv mapping - a JSON mapping reads another layout; missing columns are named with the header", () => {
  const mapping = parseMapping({
    columns: {
      transaction_id: "Receipt No",
      store: "Shop",
      timestamp: "When",
      sku: "Item",
      quantity: "Qty",
      unit_price: "Unit Price",
      category: "Dept",
    },
    defaults: { currency: "EUR" },
    timezone: "Europe/Paris",
    date_format: "dmy",
  });
  const bound = bindMapping(mapping, [
    "Receipt No",
    "Shop",
    "When",
    "Item",
    "Qty",
    "Unit Price",
    "Dept",
  ]);
  const map = rowMapper(bound, (raw) => ({ id: raw, timezone: "Europe/Paris", currency: "EUR" }));
  const r = map(["R-1", "paris-01", "25/11/2026 14:03", "SKU-9", "3", "2.50", "Bakery"]);
  assert.ok(r.ok);
  assert.equal(r.line.timestamp, "2026-11-25T14:03:00+01:00");
  assert.equal(r.line.category, "Bakery");
  assert.equal(r.line.cents, 750);
  assert.throws(
    () => bindMapping(mapping, ["Receipt No", "Shop", "When", "Qty", "Unit Price"]),
    (e: Error) =>
      e instanceof MappingError &&
      /lacks required columns: sku \(column "Item"\)/.test(e.message) &&
      /header: Receipt No, Shop, When, Qty, Unit Price/.test(e.message),
  );
  assert.throws(() => parseMapping({ columns: {}, timezone: "Mars/Olympus" }), /IANA time zone/);
});

Deno.test("csv local time - wall clock to instant across DST in London", () => {
  const at = (y: number, mo: number, d: number, h: number, mi = 0) =>
    new Date(
      localToInstant(
        { year: y, month: mo, day: d, hour: h, minute: mi, second: 0 },
        "Europe/London",
      ),
    )
      .toISOString();
  assert.equal(at(2009, 12, 1, 7, 45), "2009-12-01T07:45:00.000Z");
  assert.equal(at(2010, 6, 1, 7, 45), "2010-06-01T06:45:00.000Z");
  assert.equal(at(2010, 10, 31, 1, 30), "2010-10-31T00:30:00.000Z"); // repeated hour: the first
  assert.equal(at(2010, 3, 28, 1, 30), "2010-03-28T01:30:00.000Z"); // skipped hour: after the jump
});
