import assert from "node:assert/strict";
import {
  addStore,
  getStore,
  invalidateStoreDirectory,
  isTimeZone,
  listStores,
  localDate,
  normaliseStore,
  storeDirectory,
  StoreError,
} from "./stores.ts";
import { testRuntime } from "./testing/services.ts";

Deno.test("stores - add, get, list and directory", async () => {
  await using rt = await testRuntime("stores_crud");
  await addStore(rt.sql, {
    id: "paris-01",
    name: "Paris Rivoli",
    timezone: "Europe/Paris",
    city: "Paris",
    country: "FR",
    lat: 48.86,
    lon: 2.34,
    currency: "eur",
    opening_hours: { mon: ["08:00", "21:00"], sun: null },
  });
  await addStore(rt.sql, { id: "nyc-01", name: "NYC", timezone: "America/New_York" });
  const paris = await getStore(rt.sql, "paris-01");
  assert.deepEqual(paris, {
    id: "paris-01",
    name: "Paris Rivoli",
    city: "Paris",
    region: null,
    country: "FR",
    lat: 48.86,
    lon: 2.34,
    timezone: "Europe/Paris",
    currency: "EUR",
    opening_hours: { mon: ["08:00", "21:00"], sun: null },
  });
  assert.equal(await getStore(rt.sql, "nope"), null);
  assert.deepEqual((await listStores(rt.sql)).map((s) => s.id), ["nyc-01", "paris-01"]);
  const dir = await storeDirectory(rt);
  assert.deepEqual(dir.get("nyc-01"), { currency: "USD", timezone: "America/New_York" });
  assert.equal(dir.size, 2);
});

Deno.test("stores - duplicate id refused unless upsert", async () => {
  await using rt = await testRuntime("stores_dup");
  await addStore(rt.sql, { id: "s1", name: "One", timezone: "UTC" });
  await assert.rejects(
    addStore(rt.sql, { id: "s1", name: "Other", timezone: "UTC" }),
    /store s1 already exists; pick another id or update it with --upsert/,
  );
  await addStore(rt.sql, { id: "s1", name: "Renamed", timezone: "Asia/Tokyo", currency: "JPY" }, {
    upsert: true,
  });
  assert.equal((await getStore(rt.sql, "s1"))?.name, "Renamed");
  invalidateStoreDirectory(rt);
  assert.deepEqual((await storeDirectory(rt)).get("s1"), {
    currency: "JPY",
    timezone: "Asia/Tokyo",
  });
});

Deno.test("stores - validation names the bad field", () => {
  const base = { id: "s1", name: "One", timezone: "Europe/Paris" };
  const bad: [object, RegExp][] = [
    [{ id: "bad id!" }, /store id "bad id!" is not valid: use 1-64 letters/],
    [{ name: " " }, /name is required/],
    [{ timezone: "Mars/Olympus" }, /time zone "Mars\/Olympus" is not an IANA zone/],
    [{ currency: "XYZ1" }, /currency "XYZ1" is not ISO 4217/],
    [{ lat: 91 }, /lat must be a number from -90 to 90, got 91/],
    [{ lon: -181 }, /lon must be a number from -180 to 180/],
    [{ opening_hours: { funday: null } }, /day "funday" is not one of mon/],
    [{ opening_hours: { mon: ["8", "21:00"] } }, /for mon must be \["HH:MM","HH:MM"\] or null/],
  ];
  for (const [patch, re] of bad) {
    assert.throws(
      () => normaliseStore({ ...base, ...patch }),
      (e) => e instanceof StoreError && re.test(e.message),
    );
  }
  assert.equal(isTimeZone("America/Argentina/Buenos_Aires"), true);
  assert.equal(isTimeZone(""), false);
});

Deno.test("stores - localDate uses the store's zone", () => {
  const ts = Date.parse("2026-11-25T23:30:00Z");
  assert.equal(localDate(ts, "UTC"), "2026-11-25");
  assert.equal(localDate(ts, "Europe/Paris"), "2026-11-26");
  assert.equal(localDate(ts, "America/Los_Angeles"), "2026-11-25");
  assert.equal(localDate(Date.parse("2026-11-25T10:00:00Z"), "Pacific/Kiritimati"), "2026-11-26");
});
