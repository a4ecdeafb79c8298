import assert from "node:assert/strict";
import fc from "fast-check";
import { fastReceiptShape } from "./event_rules.ts";
import {
  currencyDigits,
  decodeEvent,
  encodeEvent,
  familyOf,
  formatMinor,
  LIMITS,
  receiptShape,
  validateEvent,
} from "./events.ts";

// Property tests of the event contract: valid events round-trip, arbitrary input never crashes
// validation or passes it, and the fast receipt check agrees with the zod schema.

const NOW = Date.parse("2026-11-25T12:00:00Z");
const ctx = { now: NOW, stores: new Map([["s1", { currency: "EUR" }]]) };
const sale = {
  type: "sale",
  transaction_id: "t1",
  store_id: "s1",
  register_id: "r1",
  timestamp: "2026-11-25T11:00:00+01:00",
  currency: "EUR",
  payment: "card",
  lines: [{ sku: "A", category: "food", quantity: 2, unit_price: "1.50" }],
  total: "3.00",
};

const idArb = fc.stringMatching(/^[A-Za-z0-9_.:\/#-]{1,64}$/);
const digitsArb = fc.constantFrom(["EUR", 2] as const, ["JPY", 0] as const, ["KWD", 3] as const);

/** A valid raw receipt with decimal strings or numbers for money, and its expected cents. */
const receiptArb = digitsArb.chain(([currency, digits]) =>
  fc.record({
    type: fc.constantFrom("sale", "refund"),
    transaction_id: idArb,
    store_id: idArb,
    register_id: idArb,
    customer_id: fc.option(idArb, { nil: undefined }),
    offsetMin: fc.integer({ min: -720, max: 840 }),
    ageMs: fc.integer({ min: -LIMITS.futureToleranceMs, max: 400 * 86_400_000 }),
    currency: fc.constant(currency),
    payment: fc.constantFrom("card", "cash", "voucher"),
    lines: fc.array(
      fc.record({
        sku: idArb,
        category: fc.string({ minLength: 1, maxLength: 64 }),
        quantity: fc.integer({ min: 1, max: LIMITS.maxQuantity }),
        price: fc.integer({ min: 0, max: LIMITS.maxUnitPriceCents }),
        discountShare: fc.double({ min: 0, max: 1, noNaN: true }),
        asNumber: fc.boolean(),
      }),
      { minLength: 1, maxLength: 20 },
    ),
  }).map((r) => {
    let sum = 0;
    const lines = r.lines.map((l) => {
      const discount = Math.floor(l.price * l.quantity * l.discountShare);
      sum += l.price * l.quantity - discount;
      const money = (c: number) => l.asNumber && digits === 0 ? c : formatMinor(c, digits);
      return {
        sku: l.sku,
        category: l.category,
        quantity: l.quantity,
        unit_price: money(l.price),
        discount: money(discount),
      };
    });
    const ts = NOW - r.ageMs;
    const local = new Date(ts + r.offsetMin * 60_000).toISOString().slice(0, 19);
    const off = Math.abs(r.offsetMin);
    const sign = r.offsetMin < 0 ? "-" : "+";
    const zone = `${sign}${String(Math.floor(off / 60)).padStart(2, "0")}:${
      String(off % 60).padStart(2, "0")
    }`;
    return {
      raw: {
        type: r.type,
        transaction_id: r.transaction_id,
        store_id: r.store_id,
        register_id: r.register_id,
        customer_id: r.customer_id,
        timestamp: local + zone,
        currency: r.currency,
        payment: r.payment,
        lines,
        total: formatMinor(sum, digits),
      },
      cents: sum,
      ts: Math.floor(ts / 1000) * 1000,
    };
  })
);

Deno.test("events - property: valid receipts validate, and encode/decode round-trips", () => {
  fc.assert(
    fc.property(receiptArb, ({ raw, cents, ts }) => {
      const v = validateEvent(raw, { now: NOW });
      if (!v.ok) throw new Error(`${v.error} for ${JSON.stringify(raw)}`);
      assert.equal(v.event.type === "inventory" || v.event.type === "customer", false);
      if (v.event.type !== "sale" && v.event.type !== "refund") return;
      assert.equal(v.event.total_cents, cents);
      assert.equal(v.event.ts, ts);
      assert.equal(familyOf(v.event), "sales");
      const back = decodeEvent(encodeEvent(v.event));
      assert.deepEqual(back, { ok: true, event: v.event });
    }),
    { numRuns: 300 },
  );
});

Deno.test("events - property: a total off by one minor unit is always refused", () => {
  fc.assert(
    fc.property(receiptArb, fc.constantFrom(-1, 1), ({ raw, cents }, delta) => {
      fc.pre(cents + delta >= 0);
      const digits = currencyDigits(raw.currency)!;
      const v = validateEvent({ ...raw, total: formatMinor(cents + delta, digits) }, { now: NOW });
      assert.equal(v.ok, false);
      assert.match(
        (v as { error: string }).error,
        /^total: .* does not equal the sum of the lines/,
      );
    }),
    { numRuns: 200 },
  );
});

Deno.test("events - property: arbitrary JSON never crashes validation nor passes", () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
      const v = validateEvent(value, ctx);
      assert.equal(v.ok, false);
      assert.equal(typeof (v as { error: string }).error, "string");
    }),
    { numRuns: 1000 },
  );
});

Deno.test("events - property: corrupting one field of a valid event never crashes", () => {
  const keys = [...Object.keys(sale), "lines.0.quantity", "lines.0.unit_price", "lines.0.sku"];
  fc.assert(
    fc.property(
      fc.constantFrom(...keys),
      fc.oneof(fc.anything(), fc.string(), fc.double(), fc.constant(undefined)),
      (key, junk) => {
        const raw = structuredClone(sale) as Record<string, unknown>;
        if (key.startsWith("lines.")) {
          (raw.lines as Record<string, unknown>[])[0][key.split(".")[2]] = junk;
        } else raw[key] = junk;
        const v = validateEvent(raw, ctx);
        if (v.ok) {
          // Only values equal in meaning may pass (e.g. the same amount written as a number).
          assert.equal("total_cents" in v.event && v.event.total_cents, 300);
        } else assert.equal(typeof v.error, "string");
      },
    ),
    { numRuns: 1000 },
  );
});

const isoArb = fc.integer({ min: NOW - 400 * 86_400_000, max: NOW }).map((t) =>
  new Date(t).toISOString()
);

Deno.test("events - property: inventory and customer events round-trip", () => {
  const inventoryArb = fc.record({
    type: fc.constant("inventory"),
    kind: fc.constantFrom("count", "receipt", "adjustment"),
    event_id: fc.option(idArb, { nil: undefined }),
    store_id: idArb,
    sku: idArb,
    quantity: fc.integer({ min: -1_000_000, max: 1_000_000 }),
    timestamp: isoArb,
  });
  const customerArb = fc.record({
    type: fc.constant("customer"),
    kind: fc.constantFrom("signup", "update"),
    customer_id: idArb,
    store_id: fc.option(idArb, { nil: null }),
    email: fc.option(fc.constantFrom("a@example.com", "x.y+z@shop.fr"), { nil: null }),
    phone: fc.option(fc.constantFrom("+33 1 23 45 67 89", "(555) 123-4567"), { nil: undefined }),
    timestamp: isoArb,
  });
  fc.assert(
    fc.property(fc.oneof(inventoryArb, customerArb), (raw) => {
      const v = validateEvent(raw, { now: NOW });
      if (!v.ok) throw new Error(`${v.error} for ${JSON.stringify(raw)}`);
      assert.equal(v.event.type, raw.type);
      assert.deepEqual(decodeEvent(encodeEvent(v.event)), { ok: true, event: v.event });
    }),
    { numRuns: 300 },
  );
});

Deno.test("events - property: arbitrary payloads never crash decodeEvent", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.json()), (payload) => {
      const d = decodeEvent(payload);
      assert.equal(typeof d.ok, "boolean");
    }),
    { numRuns: 1000 },
  );
});

/** Drops undefined-valued keys, so two shape results compare by meaning. */
const plain = (v: unknown) => JSON.parse(JSON.stringify(v));

Deno.test("events - property: the fast receipt check accepts every valid receipt", () => {
  fc.assert(
    fc.property(receiptArb, ({ raw }) => {
      const fast = fastReceiptShape(raw);
      assert.ok(fast, `fast check refused ${JSON.stringify(raw)}`);
      const slow = receiptShape.safeParse(raw);
      assert.ok(slow.success);
      assert.deepEqual(plain(fast), plain(slow.data));
    }),
    { numRuns: 300 },
  );
});

Deno.test("events - property: the fast receipt check never accepts what zod refuses", () => {
  const fields = [
    ...Object.keys(sale),
    "cashier_id",
    "customer_id",
    "lines.0.sku",
    "lines.0.category",
    "lines.0.quantity",
    "lines.0.unit_price",
    "lines.0.discount",
    "lines.0",
  ];
  const junk = fc.oneof(
    fc.anything(),
    fc.string({ maxLength: 70 }),
    fc.integer(),
    fc.integer({ min: -2, max: LIMITS.maxQuantity * 2 }),
    fc.double(),
    fc.constantFrom(undefined, null, "", "x".repeat(65), "a b", "EUR", "sale", [], {}, 1.5, -1, 0),
  );
  fc.assert(
    fc.property(receiptArb, fc.constantFrom(...fields), junk, ({ raw }, field, value) => {
      const r = structuredClone(raw) as Record<string, unknown>;
      const path = field.split(".");
      if (path.length === 1) r[path[0]] = value;
      else if (path.length === 2) (r.lines as unknown[])[0] = value;
      else (r.lines as Record<string, unknown>[])[0][path[2]] = value;
      const fast = fastReceiptShape(r);
      if (fast === null) return;
      const slow = receiptShape.safeParse(r);
      assert.ok(slow.success, `fast accepted, zod refused: ${field} = ${String(value)}`);
      assert.deepEqual(plain(fast), plain(slow.data));
    }),
    { numRuns: 3000 },
  );
});
