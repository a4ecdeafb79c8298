import assert from "node:assert/strict";
import { currencyDigits, decodeEvent, formatMinor, toMinorUnits, validateEvent } from "./events.ts";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const stores = new Map([["s1", { currency: "EUR" }], ["jp", { currency: "JPY" }]]);
const ctx = { now: NOW, stores };
const TS = "2026-11-25T11:00:00Z";
const line = { sku: "A", category: "food", quantity: 2, unit_price: "1.50" };
const sale = {
  type: "sale",
  transaction_id: "t1",
  store_id: "s1",
  register_id: "r1",
  timestamp: "2026-11-25T11:00:00+01:00",
  currency: "EUR",
  payment: "card",
  lines: [line],
  total: "3.00",
};
const inv = {
  type: "inventory",
  kind: "count",
  store_id: "s1",
  sku: "A",
  quantity: 1,
  timestamp: TS,
};
const cust = { type: "customer", kind: "signup", customer_id: "c1", timestamp: TS };
const ISO_HINT = "expected an ISO-8601 timestamp with offset, e.g. 2026-11-25T14:03:00+01:00";
const PRICE_HINT = "expected an amount from 0 to 1000000.00 with at most 2 decimals, e.g. 12.99";
const ID_CHARS = "may contain only letters, digits and _ . : / # -";

/** [what, raw event, exact error]: one row per validation rule. */
const RULES: [string, unknown, string][] = [
  ["not an object", 42, 'expected a JSON object with a "type" field, got 42'],
  ["null", null, 'expected a JSON object with a "type" field, got null'],
  ["array", [1], 'expected a JSON object with a "type" field, got [1]'],
  ["type missing", {}, 'type: is required: one of "sale", "refund", "inventory" or "customer"'],
  [
    "type unknown",
    { ...sale, type: "sales" },
    'type: expected "sale", "refund", "inventory" or "customer", got "sales"',
  ],
  ["required id", { ...sale, transaction_id: undefined }, "transaction_id: is required"],
  [
    "id as text",
    { ...sale, transaction_id: 5 },
    "transaction_id: expected a transaction id as text, got 5",
  ],
  [
    "id length",
    { ...sale, transaction_id: "x".repeat(65) },
    "transaction_id: must be at most 64 characters",
  ],
  ["id characters", { ...sale, transaction_id: "a b" }, `transaction_id: ${ID_CHARS}`],
  ["store required", { ...sale, store_id: undefined }, "store_id: is required"],
  ["register required", { ...sale, register_id: undefined }, "register_id: is required"],
  [
    "cashier id characters",
    { ...sale, cashier_id: "x y" },
    `cashier_id: ${ID_CHARS}`,
  ],
  ["timestamp required", { ...sale, timestamp: undefined }, "timestamp: is required"],
  [
    "timestamp offset",
    { ...sale, timestamp: "2026-11-25T10:00:00" },
    `timestamp: ${ISO_HINT}, got "2026-11-25T10:00:00"`,
  ],
  [
    "timestamp calendar",
    { ...sale, timestamp: "2026-02-30T10:00:00Z" },
    `timestamp: ${ISO_HINT}, got "2026-02-30T10:00:00Z"`,
  ],
  [
    "timestamp type",
    { ...sale, timestamp: 1764064800000 },
    `timestamp: ${ISO_HINT}, got 1764064800000`,
  ],
  [
    "timestamp in the future",
    { ...sale, timestamp: "2026-11-25T12:06:00Z" },
    "timestamp: is 6 minutes in the future; events more than 5 minutes ahead are refused (check the POS clock and time zone)",
  ],
  ["currency required", { ...sale, currency: undefined }, "currency: is required"],
  [
    "currency ISO 4217",
    { ...sale, currency: "eur" },
    'currency: expected an ISO 4217 currency code such as EUR or USD, got "eur"',
  ],
  [
    "currency of the store",
    { ...sale, currency: "USD" },
    'currency: store s1 trades in EUR, got "USD"',
  ],
  ["payment required", { ...sale, payment: undefined }, "payment: is required"],
  ["payment empty", { ...sale, payment: "" }, "payment: must not be empty"],
  ["lines required", { ...sale, lines: undefined }, "lines: is required"],
  ["lines empty", { ...sale, lines: [] }, "lines: must have at least one line"],
  [
    "lines at most 500",
    { ...sale, lines: Array(501).fill(line) },
    "lines: must have at most 500 lines",
  ],
  ["sku required", { ...sale, lines: [{ ...line, sku: undefined }] }, "lines[0].sku: is required"],
  [
    "category empty",
    { ...sale, lines: [{ ...line, category: "" }] },
    "lines[0].category: must not be empty",
  ],
  [
    "quantity whole",
    { ...sale, lines: [{ ...line, quantity: 1.5 }] },
    "lines[0].quantity: expected a whole number of units, got 1.5",
  ],
  [
    "quantity at least 1",
    { ...sale, lines: [{ ...line, quantity: -1 }] },
    'lines[0].quantity: must be at least 1 (refunds use type "refund", not negative quantities)',
  ],
  [
    "quantity at most 10000",
    { ...sale, lines: [{ ...line, quantity: 10_001 }] },
    "lines[0].quantity: must be at most 10000",
  ],
  [
    "unit price decimals",
    { ...sale, lines: [{ ...line, unit_price: "1.505" }] },
    `lines[0].unit_price: ${PRICE_HINT}; got "1.505"`,
  ],
  [
    "unit price negative",
    { ...sale, lines: [{ ...line, unit_price: -1 }] },
    `lines[0].unit_price: ${PRICE_HINT}; got -1`,
  ],
  [
    "unit price range",
    { ...sale, lines: [{ ...line, unit_price: "1000000.01" }] },
    `lines[0].unit_price: ${PRICE_HINT}; got "1000000.01"`,
  ],
  [
    "unit price text",
    { ...sale, lines: [{ ...line, unit_price: "abc" }] },
    `lines[0].unit_price: ${PRICE_HINT}; got "abc"`,
  ],
  [
    "unit price float noise",
    { ...sale, lines: [{ ...line, quantity: 1, unit_price: 0.1 + 0.2 }], total: "0.30" },
    `lines[0].unit_price: ${PRICE_HINT}; got 0.30000000000000004`,
  ],
  [
    "unit price type",
    { ...sale, lines: [{ ...line, unit_price: true }] },
    "lines[0].unit_price: expected an amount like 12.34, got true",
  ],
  [
    "minor digits of the currency",
    {
      ...sale,
      store_id: "jp",
      currency: "JPY",
      lines: [{ ...line, unit_price: "150.5" }],
      total: "301",
    },
    'lines[0].unit_price: expected an amount from 0 to 100000000 with at most 0 decimals, e.g. 1299; got "150.5"',
  ],
  [
    "discount above the line",
    { ...sale, lines: [{ ...line, discount: "3.01" }] },
    `lines[0].discount: expected an amount from 0 up to the line's value (3.00) with at most 2 decimals; got "3.01"`,
  ],
  [
    "discount negative",
    { ...sale, lines: [{ ...line, discount: "-1" }] },
    `lines[0].discount: expected an amount from 0 up to the line's value (3.00) with at most 2 decimals; got "-1"`,
  ],
  ["total required", { ...sale, total: undefined }, "total: is required"],
  [
    "total adds up",
    { ...sale, total: "3.01" },
    "total: 3.01 does not equal the sum of the lines (3.00 = quantity × unit_price − discount per line); fix the total or the lines",
  ],
  [
    "total negative",
    { ...sale, total: "-3.00" },
    'total: expected a non-negative amount with at most 2 decimals, e.g. 12.99; got "-3.00"',
  ],
  [
    "unknown store",
    { ...sale, store_id: "s9" },
    'store_id: unknown store "s9"; register it first with: deno task stores add --id s9 --name NAME --timezone Area/City',
  ],
  [
    "several problems at once",
    { type: "sale" },
    "transaction_id: is required; store_id: is required; register_id: is required",
  ],
  [
    "inventory kind",
    { ...inv, kind: "recount" },
    'kind: expected "count", "receipt" or "adjustment"',
  ],
  ["inventory quantity max", { ...inv, quantity: 1_000_001 }, "quantity: must be at most 1000000"],
  [
    "inventory quantity min",
    { ...inv, quantity: -1_000_001 },
    "quantity: must be at least -1000000",
  ],
  [
    "inventory quantity whole",
    { ...inv, quantity: 1.5 },
    "quantity: expected a whole number of units, got 1.5",
  ],
  [
    "inventory unknown store",
    { ...inv, store_id: "zz" },
    'store_id: unknown store "zz"; register it first with: deno task stores add --id zz --name NAME --timezone Area/City',
  ],
  ["customer kind", { ...cust, kind: "delete" }, 'kind: expected "signup" or "update"'],
  ["customer email", { ...cust, email: "nope" }, "email: expected an e-mail address"],
  ["customer phone", { ...cust, phone: "abc" }, "phone: expected a phone number"],
  ["customer id required", { ...cust, customer_id: undefined }, "customer_id: is required"],
  [
    "customer in the future",
    { ...cust, timestamp: "2026-11-26T11:00:00Z" },
    "timestamp: is 1380 minutes in the future; events more than 5 minutes ahead are refused (check the POS clock and time zone)",
  ],
];

for (const [what, raw, error] of RULES) {
  Deno.test(`events - rule: ${what}`, () => {
    assert.deepEqual(validateEvent(raw, ctx), { ok: false, error });
  });
}

Deno.test("events - a valid sale is normalised to cents; unknown fields are dropped", () => {
  const v = validateEvent({
    ...sale,
    type: "refund",
    customer_id: "c7",
    cashier_id: null,
    secret: "x",
    lines: [{ ...line, quantity: 3, unit_price: 2.5, discount: "0.5", extra: true }],
    total: 7,
  }, ctx);
  assert.deepEqual(v, {
    ok: true,
    event: {
      type: "refund",
      transaction_id: "t1",
      store_id: "s1",
      register_id: "r1",
      customer_id: "c7",
      timestamp: "2026-11-25T11:00:00+01:00",
      ts: Date.parse("2026-11-25T10:00:00Z"),
      currency: "EUR",
      payment: "card",
      lines: [{
        sku: "A",
        category: "food",
        quantity: 3,
        unit_price_cents: 250,
        discount_cents: 50,
      }],
      total_cents: 700,
    },
  });
});

Deno.test("events - boundaries that are accepted", () => {
  const ok = (raw: unknown) => {
    const v = validateEvent(raw, ctx);
    assert.ok(v.ok, v.ok ? "" : v.error);
  };
  ok({ ...sale, timestamp: "2026-11-25T12:05:00Z" }); // exactly 5 minutes ahead
  ok({ ...sale, timestamp: "2024-02-29T10:00:00+0100" }); // leap day, offset without colon
  ok({ ...sale, lines: [{ ...line, quantity: 10_000, unit_price: "0" }], total: "0" });
  ok({ ...sale, lines: [{ ...line, quantity: 1, unit_price: "1000000.00" }], total: "1000000" });
  ok({ ...sale, lines: [{ ...line, discount: "3.00" }], total: "0.00" });
  ok({
    ...sale,
    store_id: "jp",
    currency: "JPY",
    lines: [{ ...line, unit_price: 150 }],
    total: 300,
  });
  // Without a store directory the store check is skipped (CSV dry runs, tests).
  assert.equal(validateEvent({ ...sale, store_id: "any" }, { now: NOW }).ok, true);
  const i = validateEvent(inv, ctx);
  assert.ok(i.ok && i.event.type === "inventory" && i.event.event_id.startsWith("auto-"));
  const same = validateEvent({ ...inv, unknown: 1 }, ctx);
  assert.ok(i.ok && same.ok && same.event.type === "inventory");
  assert.equal(i.event.event_id, same.event.event_id);
  const c = validateEvent({ ...cust, email: null, phone: "+33 1 23 45 67 89" }, ctx);
  assert.deepEqual(c, {
    ok: true,
    event: { ...cust, phone: "+33 1 23 45 67 89", ts: Date.parse(TS) },
  });
});

Deno.test("events - money helpers are exact", () => {
  assert.equal(toMinorUnits("12.34"), 1234);
  assert.equal(toMinorUnits(" -3.99 "), -399);
  assert.equal(toMinorUnits(12.5), 1250);
  assert.equal(toMinorUnits("1.230"), 123); // trailing zeros are not extra precision
  assert.equal(toMinorUnits("1.234"), null);
  assert.equal(toMinorUnits(1e21), null);
  assert.equal(toMinorUnits("1e3"), null);
  assert.equal(toMinorUnits(Infinity), null);
  assert.equal(toMinorUnits("999999999999.9999", 4), null); // beyond 2^53 cents
  assert.equal(toMinorUnits("150", 0), 150);
  assert.equal(formatMinor(-5), "-0.05");
  assert.equal(formatMinor(123456, 0), "123456");
  assert.equal(formatMinor(1005, 3), "1.005");
  assert.equal(currencyDigits("JPY"), 0);
  assert.equal(currencyDigits("KWD"), 3);
  assert.equal(currencyDigits("ZZZ"), null);
});

Deno.test("events - decodeEvent refuses corrupted payloads with a reason", () => {
  assert.deepEqual(decodeEvent("{"), { ok: false, error: "payload is not valid JSON" });
  assert.deepEqual(decodeEvent("7"), { ok: false, error: "payload is not an object" });
  assert.deepEqual(decodeEvent('{"type":"sale","ts":1}'), {
    ok: false,
    error: "receipt payload is missing fields or has wrong types",
  });
  assert.deepEqual(decodeEvent('{"type":"inventory"}'), {
    ok: false,
    error: "inventory payload is missing fields or has wrong types",
  });
  assert.deepEqual(decodeEvent('{"type":"customer"}'), {
    ok: false,
    error: "customer payload is missing fields or has wrong types",
  });
  assert.deepEqual(decodeEvent('{"type":"x"}'), { ok: false, error: 'unknown event type "x"' });
});
