/**
 * The real UCI Online Retail II file (first year, 525,461 rows) imports end to end through the
 * producer and the workers, PostgreSQL's totals equal the file's own sums, and a second import
 * changes nothing. The file lives beside the repository: `../shared/data/` (override the folder
 * with TILLSTREAM_SHARED_DATA).
 */
import assert from "node:assert/strict";
import { testRuntime } from "../lib/testing/services.ts";
import { importCsv, type ImportSummary } from "../ingest/csv/importer.ts";
import { loadMapping } from "../ingest/csv/mapping.ts";
import type { Runtime } from "../lib/runtime.ts";

const DIR = Deno.env.get("TILLSTREAM_SHARED_DATA") ??
  new URL("../../shared/data/", import.meta.url).pathname;
const FILE = `${DIR.replace(/\/$/, "")}/online_retail_ii_2009_2010.csv.gz`;

async function totals(rt: Runtime) {
  const byType = await rt.sql<{ type: string; n: number; cents: number; units: number }[]>`
    select type, count(*)::int as n, sum(total_cents)::int8 as cents, sum(units)::int8 as units
    from receipts group by type order by type`;
  const [lines] = await rt.sql<{ n: number }[]>`select count(*)::int as n from receipt_lines`;
  const [day] = await rt.sql<Record<string, number>[]>`
    select sum(sales_cents)::int8 as sales_cents, sum(units)::int8 as units,
      sum(transactions)::int8 as transactions, sum(refunds)::int8 as refunds,
      sum(refund_cents)::int8 as refund_cents
    from rollup_day where store_id = '*' and category = '*'`;
  const [stores] = await rt.sql<{ n: number }[]>`select count(*)::int as n from stores`;
  return {
    receipts: Object.fromEntries(
      byType.map((r) => [r.type, { n: r.n, cents: r.cents, units: r.units }]),
    ),
    lines: lines.n,
    day: { ...day },
    stores: stores.n,
  };
}

Deno.test({
  name:
    "csv import - Online Retail II imports with totals equal to the file's sums; a second import changes nothing",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    try {
      await Deno.stat(FILE);
    } catch {
      throw new Error(
        `${FILE} is missing: put online_retail_ii_2009_2010.csv.gz in ../shared/data beside the repository or set TILLSTREAM_SHARED_DATA`,
      );
    }
    await using rt = await testRuntime("online_retail");
    const mapping = await loadMapping("online-retail");
    const dir = await Deno.makeTempDir({ prefix: "online_retail_" });
    const rejectsPath = `${dir}/rejects.csv`;

    const first: ImportSummary = await importCsv(rt, FILE, {
      mapping,
      createStores: true,
      rejectsPath,
    });
    console.log("first import", JSON.stringify(first));
    assert.equal(first.rows, 525_461);
    assert.equal(first.acceptedRows + first.rejectedRows, first.rows);
    assert.equal(first.duplicates, 0);
    assert.equal(first.storesCreated.length, 40);

    const t = await totals(rt);
    console.log("PostgreSQL", JSON.stringify(t));
    assert.equal(t.receipts.sale.n + t.receipts.refund.n, first.receipts);
    assert.equal(t.receipts.sale.cents, first.salesCents);
    assert.equal(t.receipts.refund.cents, first.refundCents);
    assert.equal(t.receipts.sale.units, first.salesUnits);
    assert.equal(t.receipts.refund.units, first.refundUnits);
    assert.equal(t.lines, first.acceptedRows);
    assert.equal(t.day.sales_cents, first.salesCents);
    assert.equal(t.day.refund_cents, first.refundCents);
    assert.equal(t.day.units, first.salesUnits);
    assert.equal(t.day.transactions, t.receipts.sale.n);
    assert.equal(t.day.refunds, t.receipts.refund.n);
    // The figures recorded in docs/import.md.
    assert.equal(first.salesCents, 1_029_886_241);
    assert.equal(first.refundCents, 63_060_251);
    assert.equal(first.salesUnits, 5_931_074);
    assert.equal(first.refundUnits, 579_548);

    const second = await importCsv(rt, FILE, { mapping, createStores: true, rejectsPath });
    console.log("second import", JSON.stringify(second));
    assert.equal(second.receipts, 0);
    assert.equal(second.duplicates, first.receipts);
    assert.equal(second.rejectedRows, first.rejectedRows);
    assert.deepEqual(second.storesCreated, []);
    assert.deepEqual(await totals(rt), t);
  },
});
