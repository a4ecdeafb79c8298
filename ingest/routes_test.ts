import assert from "node:assert/strict";
import { createApp } from "../lib/web/app.ts";
import { createKey } from "../lib/connector_keys.ts";
import { addStore } from "../lib/stores.ts";
import { testRuntime } from "../lib/testing/services.ts";

Deno.test("routes - POST /api/v1/events and GET /api/v1/stores through the web app", async () => {
  await using rt = await testRuntime("ingest_routes");
  await addStore(rt.sql, { id: "s1", name: "One", timezone: "Europe/Paris", currency: "EUR" });
  const { key } = await createKey(rt.sql, { name: "t" });
  const app = await createApp(rt);
  const body = JSON.stringify({
    type: "sale",
    transaction_id: "t1",
    store_id: "s1",
    register_id: "r1",
    timestamp: new Date(Date.now() - 60_000).toISOString(),
    currency: "EUR",
    payment: "card",
    lines: [{ sku: "A", category: "food", quantity: 1, unit_price: "2.00" }],
    total: "2.00",
  }) + "\n";
  const res = await app.request("/api/v1/events", {
    method: "POST",
    body,
    headers: { "content-type": "application/x-ndjson", authorization: `Bearer ${key}` },
  });
  assert.equal(res.status, 202);
  assert.deepEqual(await res.json(), { accepted: 1, rejected: [] });
  const noKey = await app.request("/api/v1/events", { method: "POST", body });
  assert.equal(noKey.status, 401);
  const stores = await app.request("/api/v1/stores");
  assert.equal(stores.status, 200);
  const out = await stores.json();
  assert.deepEqual(out.stores.map((s: { id: string; timezone: string }) => [s.id, s.timezone]), [[
    "s1",
    "Europe/Paris",
  ]]);
});
