/**
 * The POS event contract: one schema for sale/refund, inventory and customer events, used by
 * every path (HTTP connector, CSV import, simulator, stream workers).
 *
 * Input money is a decimal (number or string, at most the currency's minor digits); inside the
 * system it is integer minor units ("cents"). `validateEvent` turns a raw object into a
 * normalised {@link PosEvent} or an error naming the field and what is expected. Unknown fields
 * are dropped. Context checks (known store, not in the future) need a {@link ValidationContext}.
 */
import { z } from "zod";

import {
  currencyDigits,
  fastReceiptShape,
  ID,
  isTimestamp,
  LIMITS,
  MAX_CATEGORY,
  MAX_PAYMENT,
} from "./event_rules.ts";

export { currencyDigits, LIMITS };

/**
 * Parses a decimal amount exactly into minor units, or returns null. Accepts numbers and
 * strings like "12", "12.5", "-3.99"; refuses more fraction digits than the currency has.
 */
export function toMinorUnits(value: unknown, digits = 2): number | null {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) return null;
    // Shortest round-trip representation: 0.1 + 0.2 style noise is refused, not rounded.
    text = String(value);
    if (/e/i.test(text)) return null;
  } else if (typeof value === "string") text = value.trim();
  else return null;
  const m = /^(-?)(\d{1,16})(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const frac = (m[3] ?? "").replace(/0+$/, "");
  if (frac.length > digits) return null;
  const units = Number(m[2]) * 10 ** digits + Number(frac.padEnd(digits, "0") || "0");
  // Beyond 2^53 the cents would not be exact (possible for 4-digit currencies).
  if (!Number.isSafeInteger(units)) return null;
  return m[1] === "-" ? -units : units;
}

/** Formats minor units as a decimal string ("1234" cents, 2 digits -> "12.34"). */
export function formatMinor(cents: number, digits = 2): string {
  if (digits === 0) return String(cents);
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  const whole = Math.floor(abs / 10 ** digits);
  const frac = String(abs % 10 ** digits).padStart(digits, "0");
  return `${sign}${whole}.${frac}`;
}

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? "is required" : `expected ${what}, got ${show(issue.input)}`;

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 37) + "..." : s;
}

const id = (what: string) =>
  z.string({ error: required(`${what} as text`) })
    .min(1, { error: "must not be empty" })
    .max(LIMITS.maxIdLength, { error: `must be at most ${LIMITS.maxIdLength} characters` })
    .regex(ID, { error: "may contain only letters, digits and _ . : / # -" });

const optionalId = (what: string) =>
  z.union([id(what), z.null()]).optional().transform((v) => v ?? undefined);

const timestamp = z.string({
  error: required("an ISO-8601 timestamp with offset, e.g. 2026-11-25T14:03:00+01:00"),
}).refine(isTimestamp, {
  error: (i) =>
    `expected an ISO-8601 timestamp with offset, e.g. 2026-11-25T14:03:00+01:00, got ${
      show(i.input)
    }`,
});

const currency = z.string({ error: required("an ISO 4217 currency code, e.g. EUR") })
  .refine((c) => currencyDigits(c) !== null, {
    error: (i) => `expected an ISO 4217 currency code such as EUR or USD, got ${show(i.input)}`,
  });

const amount = z.union([z.number(), z.string()], {
  error: required("an amount like 12.34"),
});

const line = z.object({
  sku: id("a SKU"),
  category: z.string({ error: required("a category name") }).min(1, {
    error: "must not be empty",
  }).max(MAX_CATEGORY, { error: `must be at most ${MAX_CATEGORY} characters` }),
  quantity: z.number({ error: required("a whole number of units") }).int({
    error: (i) => `expected a whole number of units, got ${show(i.input)}`,
  }).min(1, { error: `must be at least 1 (refunds use type "refund", not negative quantities)` })
    .max(LIMITS.maxQuantity, { error: `must be at most ${LIMITS.maxQuantity}` }),
  unit_price: amount,
  discount: amount.optional(),
});

/** The zod schema of a receipt: explains what is wrong when the fast check refuses. */
export const receiptShape = z.object({
  type: z.enum(["sale", "refund"], { error: () => `expected "sale" or "refund"` }),
  transaction_id: id("a transaction id"),
  store_id: id("a store id"),
  register_id: id("a register id"),
  cashier_id: optionalId("a cashier id"),
  customer_id: optionalId("a customer id"),
  timestamp,
  currency,
  payment: z.string({ error: required("a payment method, e.g. card") }).min(1, {
    error: "must not be empty",
  }).max(MAX_PAYMENT, { error: `must be at most ${MAX_PAYMENT} characters` }),
  lines: z.array(line, { error: required("a list of lines") }).min(1, {
    error: "must have at least one line",
  }).max(LIMITS.maxLines, { error: `must have at most ${LIMITS.maxLines} lines` }),
  total: amount,
});

const inventoryShape = z.object({
  type: z.literal("inventory"),
  kind: z.enum(["count", "receipt", "adjustment"], {
    error: () => `expected "count", "receipt" or "adjustment"`,
  }),
  event_id: optionalId("an event id"),
  store_id: id("a store id"),
  sku: id("a SKU"),
  quantity: z.number({ error: required("a whole number of units") }).int({
    error: (i) => `expected a whole number of units, got ${show(i.input)}`,
  }).min(-1_000_000, { error: "must be at least -1000000" }).max(1_000_000, {
    error: "must be at most 1000000",
  }),
  timestamp,
});

const customerShape = z.object({
  type: z.literal("customer"),
  kind: z.enum(["signup", "update"], { error: () => `expected "signup" or "update"` }),
  customer_id: id("a customer id"),
  store_id: optionalId("a store id"),
  email: z.union([z.email({ error: "expected an e-mail address" }), z.null()]).optional()
    .transform((v) => v ?? undefined),
  phone: z.union([
    z.string().regex(/^\+?[0-9 ()-]{5,20}$/, { error: "expected a phone number" }),
    z.null(),
  ]).optional().transform((v) => v ?? undefined),
  timestamp,
});

/** One line of a receipt, in minor units. */
export interface ReceiptLine {
  sku: string;
  category: string;
  quantity: number;
  unit_price_cents: number;
  discount_cents: number;
}

/** A sale or refund, normalised. `ts` is the event time in epoch ms. */
export interface ReceiptEvent {
  type: "sale" | "refund";
  transaction_id: string;
  store_id: string;
  register_id: string;
  cashier_id?: string;
  customer_id?: string;
  timestamp: string;
  ts: number;
  currency: string;
  payment: string;
  lines: ReceiptLine[];
  total_cents: number;
}

/** An inventory event. `event_id` defaults to a digest of its content (its idempotency key). */
export interface InventoryEvent {
  type: "inventory";
  kind: "count" | "receipt" | "adjustment";
  event_id: string;
  store_id: string;
  sku: string;
  quantity: number;
  timestamp: string;
  ts: number;
}

/** A customer sign-up or update. */
export interface CustomerEvent {
  type: "customer";
  kind: "signup" | "update";
  customer_id: string;
  store_id?: string;
  email?: string;
  phone?: string;
  timestamp: string;
  ts: number;
}

/** Any POS event. */
export type PosEvent = ReceiptEvent | InventoryEvent | CustomerEvent;

/** What validation needs to know about the world. */
export interface ValidationContext {
  /** Current time, epoch ms. */
  now: number;
  /** Known store ids (and their currency, when checked). Omit to skip the store check. */
  stores?: ReadonlyMap<string, { currency: string }>;
}

/** Outcome of {@link validateEvent}. */
export type Validation<T = PosEvent> = { ok: true; event: T } | { ok: false; error: string };

function formatIssues(issues: z.core.$ZodIssue[]): string {
  return issues.slice(0, 3).map((i) => {
    const path = i.path.reduce<string>(
      (acc, p) => typeof p === "number" ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p),
      "",
    );
    return path ? `${path}: ${i.message}` : i.message;
  }).join("; ");
}

/** A stable digest of an inventory event's content, used when it carries no event_id. */
function inventoryKey(e: { kind: string; sku: string; quantity: number; timestamp: string }) {
  let h = 0x811c9dc5, h2 = 0x01000193;
  const s = `${e.kind}|${e.sku}|${e.quantity}|${e.timestamp}`;
  for (let i = 0; i < s.length; i++) {
    h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
    h2 = Math.imul(h2 ^ s.charCodeAt(i), 0x5bd1e995);
  }
  return `auto-${(h >>> 0).toString(36)}${(h2 >>> 0).toString(36)}`;
}

function checkContext(
  storeId: string | undefined,
  ts: number,
  ctx: ValidationContext,
): string | null {
  if (ts > ctx.now + LIMITS.futureToleranceMs) {
    return `timestamp: is ${
      Math.round((ts - ctx.now) / 60_000)
    } minutes in the future; events more than 5 minutes ahead are refused (check the POS clock and time zone)`;
  }
  if (storeId !== undefined && ctx.stores && !ctx.stores.has(storeId)) {
    return `store_id: unknown store ${
      show(storeId)
    }; register it first with: deno task stores add --id ${storeId} --name NAME --timezone Area/City`;
  }
  return null;
}

/** Validates one raw event (already JSON-parsed) against the contract. */
export function validateEvent(raw: unknown, ctx: ValidationContext): Validation {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return {
      ok: false,
      error: `expected a JSON object with a "type" field, got ${show(raw)}`,
    };
  }
  const type = (raw as { type?: unknown }).type;
  if (type === "sale" || type === "refund") return validateReceipt(raw, ctx);
  if (type === "inventory") {
    const r = inventoryShape.safeParse(raw);
    if (!r.success) return { ok: false, error: formatIssues(r.error.issues) };
    const ts = Date.parse(r.data.timestamp);
    const err = checkContext(r.data.store_id, ts, ctx);
    if (err) return { ok: false, error: err };
    return {
      ok: true,
      event: { ...r.data, event_id: r.data.event_id ?? inventoryKey(r.data), ts },
    };
  }
  if (type === "customer") {
    const r = customerShape.safeParse(raw);
    if (!r.success) return { ok: false, error: formatIssues(r.error.issues) };
    const ts = Date.parse(r.data.timestamp);
    const err = checkContext(r.data.store_id, ts, ctx);
    if (err) return { ok: false, error: err };
    // Optional fields given as null are left out, so an event equals its decoded payload.
    const event: CustomerEvent = {
      type: "customer",
      kind: r.data.kind,
      customer_id: r.data.customer_id,
      timestamp: r.data.timestamp,
      ts,
    };
    if (r.data.store_id !== undefined) event.store_id = r.data.store_id;
    if (r.data.email !== undefined) event.email = r.data.email;
    if (r.data.phone !== undefined) event.phone = r.data.phone;
    return { ok: true, event };
  }
  return {
    ok: false,
    error: type === undefined
      ? `type: is required: one of "sale", "refund", "inventory" or "customer"`
      : `type: expected "sale", "refund", "inventory" or "customer", got ${show(type)}`,
  };
}

function validateReceipt(raw: object, ctx: ValidationContext): Validation {
  let d = fastReceiptShape(raw as Record<string, unknown>);
  if (!d) {
    const r = receiptShape.safeParse(raw);
    if (!r.success) return { ok: false, error: formatIssues(r.error.issues) };
    d = r.data;
  }
  const digits = currencyDigits(d.currency)!;
  const example = () => formatMinor(1299, digits); // only needed for an error
  const lines: ReceiptLine[] = [];
  let sum = 0;
  for (let i = 0; i < d.lines.length; i++) {
    const l = d.lines[i];
    const price = toMinorUnits(l.unit_price, digits);
    if (price === null || price < 0 || price > LIMITS.maxUnitPriceCents) {
      return {
        ok: false,
        error: `lines[${i}].unit_price: expected an amount from 0 to ${
          formatMinor(LIMITS.maxUnitPriceCents, digits)
        } with at most ${digits} decimals, e.g. ${example()}; got ${show(l.unit_price)}`,
      };
    }
    const discount = l.discount === undefined ? 0 : toMinorUnits(l.discount, digits);
    if (discount === null || discount < 0 || discount > price * l.quantity) {
      return {
        ok: false,
        error: `lines[${i}].discount: expected an amount from 0 up to the line's value (${
          formatMinor(price * l.quantity, digits)
        }) with at most ${digits} decimals; got ${show(l.discount)}`,
      };
    }
    sum += price * l.quantity - discount;
    lines.push({
      sku: l.sku,
      category: l.category,
      quantity: l.quantity,
      unit_price_cents: price,
      discount_cents: discount,
    });
  }
  const total = toMinorUnits(d.total, digits);
  if (total === null || total < 0) {
    return {
      ok: false,
      error:
        `total: expected a non-negative amount with at most ${digits} decimals, e.g. ${example()}; got ${
          show(d.total)
        }`,
    };
  }
  if (total !== sum) {
    return {
      ok: false,
      error: `total: ${formatMinor(total, digits)} does not equal the sum of the lines (${
        formatMinor(sum, digits)
      } = quantity × unit_price − discount per line); fix the total or the lines`,
    };
  }
  const ts = Date.parse(d.timestamp);
  const err = checkContext(d.store_id, ts, ctx);
  if (err) return { ok: false, error: err };
  const store = ctx.stores?.get(d.store_id);
  if (store && store.currency.trim() !== d.currency) {
    return {
      ok: false,
      error: `currency: store ${d.store_id} trades in ${store.currency.trim()}, got ${
        show(d.currency)
      }`,
    };
  }
  const event: ReceiptEvent = {
    type: d.type,
    transaction_id: d.transaction_id,
    store_id: d.store_id,
    register_id: d.register_id,
    timestamp: d.timestamp,
    ts,
    currency: d.currency,
    payment: d.payment,
    lines,
    total_cents: total,
  };
  if (d.cashier_id !== undefined) event.cashier_id = d.cashier_id;
  if (d.customer_id !== undefined) event.customer_id = d.customer_id;
  return { ok: true, event };
}

/** The stream family an event belongs to. */
export function familyOf(e: PosEvent): "sales" | "inventory" | "customers" {
  return e.type === "inventory" ? "inventory" : e.type === "customer" ? "customers" : "sales";
}

/** Serialises a normalised event for a stream entry's `e` field. */
export function encodeEvent(e: PosEvent): string {
  return JSON.stringify(e);
}

/**
 * Decodes a stream entry's payload back into a normalised event, checking its shape, so a
 * corrupted or foreign entry is dead-lettered with a reason instead of crashing a worker.
 */
export function decodeEvent(payload: string): Validation {
  let raw: unknown;
  try {
    raw = JSON.parse(payload);
  } catch {
    return { ok: false, error: "payload is not valid JSON" };
  }
  // deno-lint-ignore no-explicit-any
  const e = raw as any;
  if (e === null || typeof e !== "object") return { ok: false, error: "payload is not an object" };
  const okTs = typeof e.ts === "number" && Number.isFinite(e.ts);
  if (e.type === "sale" || e.type === "refund") {
    const linesOk = Array.isArray(e.lines) && e.lines.length > 0 &&
      e.lines.every((l: ReceiptLine) =>
        l && typeof l.sku === "string" && typeof l.category === "string" &&
        Number.isInteger(l.quantity) && Number.isInteger(l.unit_price_cents) &&
        Number.isInteger(l.discount_cents)
      );
    if (
      okTs && linesOk && typeof e.store_id === "string" && typeof e.transaction_id === "string" &&
      Number.isInteger(e.total_cents) && typeof e.register_id === "string"
    ) return { ok: true, event: e as ReceiptEvent };
    return { ok: false, error: "receipt payload is missing fields or has wrong types" };
  }
  if (e.type === "inventory") {
    if (
      okTs && typeof e.store_id === "string" && typeof e.sku === "string" &&
      typeof e.event_id === "string" && Number.isInteger(e.quantity)
    ) return { ok: true, event: e as InventoryEvent };
    return { ok: false, error: "inventory payload is missing fields or has wrong types" };
  }
  if (e.type === "customer") {
    if (okTs && typeof e.customer_id === "string") return { ok: true, event: e as CustomerEvent };
    return { ok: false, error: "customer payload is missing fields or has wrong types" };
  }
  return { ok: false, error: `unknown event type ${show(e.type)}` };
}
