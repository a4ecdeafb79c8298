/**
 * The contract's primitive rules (id pattern, timestamp format, currency codes, limits) and a
 * fast shape check for receipts, the hot path of every connector.
 *
 * `lib/events.ts` builds its zod schemas from these rules, so both paths share one definition.
 * The fast check only ever *accepts*: it returns the receipt's fields when the input certainly
 * passes the zod schema, and null otherwise, in which case the zod schema runs and produces the
 * error message. A property test in events_test.ts checks that it never accepts what zod
 * refuses. Measured here: zod's receipt check ~10 µs, this one ~1 µs.
 */

/** Largest quantity on one line and largest unit price accepted (minor units). */
export const LIMITS = {
  maxQuantity: 10_000,
  maxUnitPriceCents: 100_000_000, // 1,000,000.00
  maxLines: 500,
  futureToleranceMs: 5 * 60_000,
  maxIdLength: 64,
} as const;

/** Characters allowed in ids (transaction, store, register, SKU, ...). */
export const ID = /^[A-Za-z0-9_.:\/#-]+$/;
/** ISO-8601 with a UTC offset or Z, e.g. 2026-11-25T14:03:00+01:00. */
export const ISO_WITH_OFFSET =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** Longest payment method and category names. */
export const MAX_PAYMENT = 32;
export const MAX_CATEGORY = 64;

/** True when the date part exists in the calendar: Date.parse rolls 2026-02-30 over to March. */
export function realDate(s: string): boolean {
  const y = Number(s.slice(0, 4)), m = Number(s.slice(5, 7)), d = Number(s.slice(8, 10));
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return days !== undefined && d >= 1 && d <= days;
}

/** True for a timestamp the contract accepts (format, real date, parseable). */
export function isTimestamp(s: string): boolean {
  return ISO_WITH_OFFSET.test(s) && realDate(s) && !Number.isNaN(Date.parse(s));
}

const minorDigitsCache = new Map<string, number | null>();
/** Minor-unit digits of an ISO 4217 code (2 for EUR, 0 for JPY), or null if unknown. */
export function currencyDigits(code: string): number | null {
  // Only three-letter codes are cached, so arbitrary input cannot grow the cache.
  if (!/^[A-Z]{3}$/.test(code)) return null;
  if (minorDigitsCache.has(code)) return minorDigitsCache.get(code)!;
  let digits: number | null = null;
  if (Intl.supportedValuesOf("currency").includes(code)) {
    digits = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  }
  minorDigitsCache.set(code, digits);
  return digits;
}

/** Receipt fields after the shape check, money still as given (number or decimal string). */
export interface ReceiptShape {
  type: "sale" | "refund";
  transaction_id: string;
  store_id: string;
  register_id: string;
  cashier_id?: string;
  customer_id?: string;
  timestamp: string;
  currency: string;
  payment: string;
  lines: {
    sku: string;
    category: string;
    quantity: number;
    unit_price: number | string;
    discount?: number | string;
  }[];
  total: number | string;
}

const isId = (v: unknown): v is string =>
  typeof v === "string" && v.length >= 1 && v.length <= LIMITS.maxIdLength && ID.test(v);
const isText = (v: unknown, max: number): v is string =>
  typeof v === "string" && v.length >= 1 && v.length <= max;
const isAmount = (v: unknown): v is number | string =>
  typeof v === "string" || (typeof v === "number" && Number.isFinite(v));
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The receipt's fields when `raw` certainly has the receipt shape, else null (then the zod
 * schema decides and explains). Unknown fields are left out, as zod does.
 */
export function fastReceiptShape(raw: Record<string, unknown>): ReceiptShape | null {
  const { type, cashier_id, customer_id, timestamp, currency, payment, lines, total } = raw;
  if (type !== "sale" && type !== "refund") return null;
  if (!isId(raw.transaction_id) || !isId(raw.store_id) || !isId(raw.register_id)) return null;
  if (cashier_id != null && !isId(cashier_id)) return null;
  if (customer_id != null && !isId(customer_id)) return null;
  if (typeof timestamp !== "string" || !isTimestamp(timestamp)) return null;
  if (typeof currency !== "string" || currencyDigits(currency) === null) return null;
  if (!isText(payment, MAX_PAYMENT) || !isAmount(total)) return null;
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > LIMITS.maxLines) return null;
  const out: ReceiptShape["lines"] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (!isRecord(l) || !isId(l.sku) || !isText(l.category, MAX_CATEGORY)) return null;
    const q = l.quantity;
    if (typeof q !== "number" || !Number.isInteger(q) || q < 1 || q > LIMITS.maxQuantity) {
      return null;
    }
    if (!isAmount(l.unit_price) || (l.discount !== undefined && !isAmount(l.discount))) return null;
    out[i] = { sku: l.sku, category: l.category, quantity: q, unit_price: l.unit_price };
    if (l.discount !== undefined) out[i].discount = l.discount;
  }
  const shape: ReceiptShape = {
    type,
    transaction_id: raw.transaction_id,
    store_id: raw.store_id,
    register_id: raw.register_id,
    timestamp,
    currency,
    payment,
    lines: out,
    total,
  };
  if (cashier_id != null) shape.cashier_id = cashier_id as string;
  if (customer_id != null) shape.customer_id = customer_id as string;
  return shape;
}
