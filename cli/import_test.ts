import assert from "node:assert/strict";
import { gzip } from "node:zlib";
import { promisify } from "node:util";
import { testRuntime } from "../lib/testing/services.ts";
import { addStore } from "../lib/stores.ts";
import { importCommand } from "./import.ts";
import { UsageError } from "./args.ts";

const TILLSTREAM_CSV = [
  "transaction_id,type,store_id,register_id,cashier_id,customer_id,timestamp,currency,payment,sku,category,quantity,unit_price,discount",
  "T1,sale,paris-01,r1,k1,c9,2026-11-20T10:00:00+01:00,EUR,card,BAG-1,Bags,2,12.50,1.00",
  "T1,sale,paris-01,r1,k1,c9,2026-11-20T10:00:00+01:00,EUR,card,MUG-2,Kitchen,1,8.00,",
  "T2,refund,paris-01,r2,,,2026-11-20T11:30:00+01:00,EUR,cash,MUG-2,Kitchen,1,8.00,",
  "T3,sale,paris-01,r1,,,2026-11-20T12:00:00,EUR,card,MUG-2,Kitchen,1,8.00,",
  "T4,sale,paris-01,r1,,,2026-11-20T12:05:00+01:00,EURO,card,MUG-2,Kitchen,1,8.00,",
].join("\n") + "\n";

Deno.test("import cli - a gzipped file in Tillstream's own format imports and prints a JSON summary", async () => {
  await using rt = await testRuntime("import_cli");
  await addStore(rt.sql, {
    id: "paris-01",
    name: "Paris",
    timezone: "Europe/Paris",
    currency: "EUR",
  });
  const dir = await Deno.makeTempDir({ prefix: "import_cli_" });
  const file = `${dir}/export.csv.gz`;
  await Deno.writeFile(file, await promisify(gzip)(new TextEncoder().encode(TILLSTREAM_CSV)));
  const out = await importCommand(rt, [
    file,
    "--mapping",
    "tillstream",
    "--rejects",
    `${dir}/r.csv`,
    "--json",
    "--quiet",
  ]);
  const s = JSON.parse(out);
  assert.equal(s.rows, 5);
  assert.equal(s.receipts, 3);
  assert.equal(s.rejectedRows, 1);
  assert.equal(s.salesCents, 2 * 1250 - 100 + 800 + 800);
  assert.equal(s.refundCents, 800);
  assert.match(
    await Deno.readTextFile(`${dir}/r.csv`),
    /T4,.*currency: expected an ISO 4217 code such as GBP, got ""EURO""/,
  );
  const rows = await rt
    .sql`select transaction_id, type, total_cents::int as cents, discount_cents::int as d,
    customer_id, cashier_id from receipts order by transaction_id`;
  assert.deepEqual(rows.map((r) => ({ ...r })), [
    {
      transaction_id: "T1",
      type: "sale",
      cents: 3200,
      d: 100,
      customer_id: "c9",
      cashier_id: "k1",
    },
    { transaction_id: "T2", type: "refund", cents: 800, d: 0, customer_id: null, cashier_id: null },
    { transaction_id: "T3", type: "sale", cents: 800, d: 0, customer_id: null, cashier_id: null },
  ]);
  const history = JSON.parse(await importCommand(rt, ["--history", "--json"]));
  assert.equal(history.length, 1);
  assert.deepEqual(
    [history[0].status, history[0].mapping, history[0].receipts, history[0].sales_cents],
    ["done", "tillstream", 3, 3200 + 800],
  );
  // Without an offset a timestamp is read in the store's zone (Paris: UTC+1 in November).
  const [t3] = await rt.sql`select ts from receipts where transaction_id = 'T3'`;
  assert.equal((t3.ts as Date).toISOString(), "2026-11-20T11:00:00.000Z");
});

Deno.test("import cli - usage mistakes and unknown mappings say how to fix them", async () => {
  await using rt = await testRuntime("import_cli_usage");
  await assert.rejects(
    () => importCommand(rt, ["x.csv"]),
    (e: Error) => e instanceof UsageError && /--mapping is required/.test(e.message),
  );
  await assert.rejects(() => importCommand(rt, ["--mapping", "tillstream"]), UsageError);
  await assert.rejects(
    () =>
      importCommand(rt, ["x.csv", "--mapping", "tillstream", "--store-timezone", "Nowhere/Land"]),
    /--store-timezone "Nowhere\/Land" is not an IANA zone/,
  );
  await assert.rejects(
    () => importCommand(rt, ["x.csv", "--mapping", "retail"]),
    /unknown mapping "retail": use a preset \(online-retail, tillstream\) or a JSON file/,
  );
  await assert.rejects(
    () => importCommand(rt, ["/nonexistent/x.csv", "--mapping", "tillstream"]),
    /cannot open \/nonexistent\/x.csv/,
  );
});
