/**
 * One CSV record to one receipt line, or a reason to reject it. Checks here are per row, so a
 * bad row is rejected alone and the rest of its invoice still imports; the whole receipt is
 * then checked once more by the contract's `validateEvent`.
 */
import { currencyDigits, LIMITS, toMinorUnits } from "../../lib/events.ts";
import type { BoundMapping, Field } from "./mapping.ts";
import { type Categorize, categorizer } from "./category.ts";
import { isoInZone, localToInstant } from "../../lib/timezone.ts";

/** What a mapping needs to know about the store a row names. */
export interface StoreRef {
  id: string;
  timezone: string;
  currency: string;
}

/** A row that became a receipt line. */
export interface LineRow {
  txId: string;
  storeId: string;
  type: "sale" | "refund";
  registerId: string;
  cashierId?: string;
  customerId?: string;
  ts: number;
  timestamp: string;
  currency: string;
  payment: string;
  sku: string;
  category: string;
  quantity: number;
  unitPrice: string;
  discount?: string;
  /** quantity × unit price − discount, minor units. */
  cents: number;
}

/** Outcome of mapping one record. */
export type RowResult = { ok: true; line: LineRow } | { ok: false; reason: string };

const ID = /^[A-Za-z0-9_.:\/#-]+$/;
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const SLASH = /^(\d{1,2})\/(\d{1,2})\/(\d{4})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;
const INT = /^[+-]?\d+(?:\.0+)?$/;

const show = (v: string) => JSON.stringify(v.length > 40 ? v.slice(0, 37) + "..." : v);

/** Normalises an identifier: trimmed, inner whitespace as `_` ("BANK CHARGES" → BANK_CHARGES). */
export function normalizeId(v: string): string {
  return v.trim().replace(/\s+/g, "_");
}

/** Maps records of one file; `store` resolves a raw store value (e.g. a country) to a store. */
export function rowMapper(bound: BoundMapping, store: (raw: string) => StoreRef) {
  const { mapping, index } = bound;
  const d = mapping.defaults ?? {};
  const categorize: Categorize | null = mapping.category ? categorizer(mapping.category) : null;
  const catFrom = mapping.category?.from ?? "description";
  const cancel = mapping.cancel_prefix;
  const format = mapping.date_format ?? "auto";
  const rejects = (mapping.reject ?? []).map((r) => ({ ...r, set: new Set(r.equals) }));
  const get = (rec: string[], f: Field): string => {
    const i = index[f];
    const v = i >= 0 ? rec[i]?.trim() ?? "" : "";
    return v === "" ? d[f] ?? "" : v;
  };
  const label = (f: Field) => {
    const c = mapping.columns[f];
    return c === undefined ? f : index[f] >= 0 ? bound.header[index[f]] : String(c);
  };

  function parseTime(raw: string, tz: string): { ts: number; iso: string } | string {
    let m = format !== "mdy" && format !== "dmy" ? ISO.exec(raw) : null;
    let y: number, mo: number, day: number, h: number, mi: number, s: number;
    if (m) {
      [y, mo, day, h, mi, s] = [1, 2, 3, 4, 5, 6].map((k) => Number(m![k] ?? 0));
    } else if (format !== "iso" && (m = SLASH.exec(raw))) {
      const [a, b] = [Number(m[1]), Number(m[2])];
      [mo, day] = format === "dmy" ? [b, a] : [a, b];
      [y, h, mi, s] = [Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
    } else {
      return `${label("timestamp")}: expected a date like 2009-12-01 07:45:00${
        format === "iso" ? "" : " or 12/1/2009 07:45"
      }, got ${show(raw)}`;
    }
    const probe = new Date(Date.UTC(y, mo - 1, day, h, mi, s));
    if (
      probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== day || h > 23 || mi > 59 || s > 59
    ) return `${label("timestamp")}: ${show(raw)} is not a real date and time`;
    if (m[8] !== undefined && format !== "mdy" && format !== "dmy" && ISO.test(raw)) {
      const iso = raw.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
      return { ts: Date.parse(iso), iso };
    }
    const ts = localToInstant({ year: y, month: mo, day, hour: h, minute: mi, second: s }, tz);
    return { ts, iso: isoInZone(ts, tz) };
  }

  const lastTime: { raw?: string; tz?: string; value?: ReturnType<typeof parseTime> } = {};
  return (rec: string[]): RowResult => {
    for (const r of rejects) {
      if (r.set.has(get(rec, r.field))) return { ok: false, reason: r.reason };
    }
    const rawTx = get(rec, "transaction_id");
    if (!rawTx) return { ok: false, reason: `${label("transaction_id")}: is empty` };
    const storeRaw = get(rec, "store");
    if (!storeRaw) return { ok: false, reason: `${label("store")}: is empty` };
    const st = store(storeRaw);
    const currency = get(rec, "currency") || st.currency;
    const digits = currencyDigits(currency);
    if (digits === null) {
      return {
        ok: false,
        reason: `${label("currency")}: expected an ISO 4217 code such as GBP, got ${
          show(currency)
        }`,
      };
    }

    const qRaw = get(rec, "quantity");
    if (!INT.test(qRaw)) {
      return {
        ok: false,
        reason: `${label("quantity")}: expected a whole number, got ${show(qRaw)}`,
      };
    }
    let quantity = Math.trunc(Number(qRaw));
    if (quantity === 0) {
      return { ok: false, reason: `${label("quantity")}: is 0 (nothing sold or returned)` };
    }
    if (Math.abs(quantity) > LIMITS.maxQuantity) {
      return {
        ok: false,
        reason: `${
          label("quantity")
        }: ${quantity} is beyond the contract's limit of ±${LIMITS.maxQuantity} units per line`,
      };
    }
    const pRaw = get(rec, "unit_price");
    const price = toMinorUnits(pRaw, digits);
    if (price === null) {
      return {
        ok: false,
        reason: `${
          label("unit_price")
        }: expected an amount with at most ${digits} decimals (${currency}), e.g. 12.34; got ${
          show(pRaw)
        }`,
      };
    }
    if (price < 0) {
      return {
        ok: false,
        reason: `${label("unit_price")}: ${pRaw} is negative (an adjustment, not a sale)`,
      };
    }
    if (price > LIMITS.maxUnitPriceCents) {
      return {
        ok: false,
        reason: `${label("unit_price")}: ${pRaw} is above the contract's maximum unit price`,
      };
    }
    const discRaw = get(rec, "discount");
    const disc = discRaw === "" ? 0 : toMinorUnits(discRaw, digits);
    if (disc === null || disc < 0) {
      return {
        ok: false,
        reason: `${label("discount")}: expected a non-negative amount, got ${show(discRaw)}`,
      };
    }

    const typeRaw = get(rec, "type").toLowerCase();
    let type: "sale" | "refund";
    if (typeRaw === "sale" || typeRaw === "refund") type = typeRaw;
    else if (typeRaw !== "") {
      return {
        ok: false,
        reason: `${label("type")}: expected "sale" or "refund", got ${show(typeRaw)}`,
      };
    } else type = cancel && rawTx.startsWith(cancel) ? "refund" : "sale";
    if (quantity < 0) {
      type = "refund";
      quantity = -quantity;
    }
    if (disc > price * quantity) {
      return {
        ok: false,
        reason: `${label("discount")}: ${discRaw} is more than the line's value`,
      };
    }

    const txId = normalizeId(rawTx);
    const sku = normalizeId(get(rec, "sku"));
    for (const [f, v] of [["transaction_id", txId], ["sku", sku]] as const) {
      if (!v || v.length > LIMITS.maxIdLength || !ID.test(v)) {
        return {
          ok: false,
          reason: `${label(f)}: ${
            show(v)
          } is not a usable id (letters, digits, _ . : / # -, at most 64)`,
        };
      }
    }
    const tRaw = get(rec, "timestamp");
    const tz = mapping.timezone ?? st.timezone;
    // Lines of one receipt repeat its timestamp: parse each distinct (text, zone) once.
    if (tRaw !== lastTime.raw || tz !== lastTime.tz) {
      lastTime.raw = tRaw;
      lastTime.tz = tz;
      lastTime.value = parseTime(tRaw, tz);
    }
    const time = lastTime.value!;
    if (typeof time === "string") return { ok: false, reason: time };

    let customerId: string | undefined = normalizeId(get(rec, "customer_id")).replace(
      /^(\d+)\.0+$/,
      "$1",
    );
    if (customerId === "") customerId = undefined;
    else if (customerId.length > LIMITS.maxIdLength || !ID.test(customerId)) {
      return {
        ok: false,
        reason: `${label("customer_id")}: ${show(customerId)} is not a usable id`,
      };
    }
    let cashierId: string | undefined = normalizeId(get(rec, "cashier_id"));
    if (cashierId === "") cashierId = undefined;
    const category = get(rec, "category") ||
      (categorize ? categorize(sku, get(rec, catFrom)) : "uncategorised");

    const line: LineRow = {
      txId,
      storeId: st.id,
      type,
      registerId: normalizeId(get(rec, "register_id")) || "import",
      ts: time.ts,
      timestamp: time.iso,
      currency,
      payment: get(rec, "payment") || "card",
      sku,
      category: category.slice(0, 64),
      quantity,
      unitPrice: pRaw,
      cents: price * quantity - disc,
    };
    if (disc) line.discount = discRaw;
    if (customerId) line.customerId = customerId;
    if (cashierId) line.cashierId = cashierId;
    return { ok: true, line };
  };
}
