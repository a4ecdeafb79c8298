/**
 * Groups line rows into receipts by (store, invoice) within a sliding window of rows, so
 * memory stays bounded however large the file is. Real exports are not always sorted: in
 * Online Retail II, 697 invoices reappear up to 327 rows after their first lines, so an
 * invoice stays open until `window` rows pass without it.
 *
 * Sale and refund lines of one invoice become separate receipts (the refund gets `#R` when
 * both exist). A receipt longer than the contract's line limit, or an invoice that reappears
 * after it was closed, continues as `<id>#2`, `<id>#3`…: deterministic, so a second import of
 * the same file produces the same ids and is recognised as duplicates.
 */
import { currencyDigits, formatMinor, LIMITS } from "../../lib/events.ts";
import type { LineRow } from "./rows.ts";

/** A source row kept with its receipt, to write it to the rejects file if the receipt fails. */
export interface SourceRow {
  row: number;
  record: string[];
}

/** A receipt assembled from rows, in the contract's input shape (decimal strings). */
export interface GroupedReceipt {
  event: Record<string, unknown>;
  rows: SourceRow[];
  /** Sum of the lines, minor units; what the file says this receipt is worth. */
  cents: number;
  units: number;
}

interface Open {
  key: string;
  last: number;
  sale: { line: LineRow; src: SourceRow }[];
  refund: { line: LineRow; src: SourceRow }[];
}

/** Default number of rows an invoice may stay unseen before it is closed. */
export const DEFAULT_WINDOW_ROWS = 5_000;

/** Groups rows into receipts; call `add` per row and `flush` at the end. */
export class ReceiptGrouper {
  #open = new Map<string, Open>();
  /** Parts already emitted per closed invoice (bounded memory of recent ones). */
  #parts = new Map<string, number>();
  #row = 0;

  constructor(readonly window = DEFAULT_WINDOW_ROWS, readonly rememberClosed = 200_000) {}

  /** Adds one mapped row; returns receipts closed by the window. */
  add(line: LineRow, src: SourceRow): GroupedReceipt[] {
    this.#row++;
    const key = `${line.storeId}\u0000${line.txId}`;
    let g = this.#open.get(key);
    if (g) this.#open.delete(key); // re-insert to keep the map in last-seen order
    else g = { key, last: 0, sale: [], refund: [] };
    g.last = this.#row;
    (line.type === "sale" ? g.sale : g.refund).push({ line, src });
    this.#open.set(key, g);
    const out: GroupedReceipt[] = [];
    for (const [k, first] of this.#open) {
      if (this.#row - first.last <= this.window) break;
      this.#open.delete(k);
      out.push(...this.#close(first));
    }
    return out;
  }

  /** Closes every open invoice (end of file). */
  flush(): GroupedReceipt[] {
    const out: GroupedReceipt[] = [];
    for (const g of this.#open.values()) out.push(...this.#close(g));
    this.#open.clear();
    return out;
  }

  #close(g: Open): GroupedReceipt[] {
    const out: GroupedReceipt[] = [];
    const both = g.sale.length > 0 && g.refund.length > 0;
    for (const [kind, items] of [["sale", g.sale], ["refund", g.refund]] as const) {
      if (!items.length) continue;
      const partKey = kind === "refund" && both ? `${g.key}#R` : g.key;
      for (let i = 0; i < items.length; i += LIMITS.maxLines) {
        const part = (this.#parts.get(partKey) ?? 0) + 1;
        this.#parts.delete(partKey);
        this.#parts.set(partKey, part);
        if (this.#parts.size > this.rememberClosed) {
          this.#parts.delete(this.#parts.keys().next().value!);
        }
        out.push(build(items.slice(i, i + LIMITS.maxLines), kind === "refund" && both, part));
      }
    }
    return out;
  }
}

function build(
  items: { line: LineRow; src: SourceRow }[],
  refundSuffix: boolean,
  part: number,
): GroupedReceipt {
  const head = items[0].line;
  let id = refundSuffix ? `${head.txId}#R` : head.txId;
  if (part > 1) id = `${id}#${part}`;
  let cents = 0, units = 0;
  const lines = items.map(({ line }) => {
    cents += line.cents;
    units += line.quantity;
    const l: Record<string, unknown> = {
      sku: line.sku,
      category: line.category,
      quantity: line.quantity,
      unit_price: line.unitPrice,
    };
    if (line.discount !== undefined) l.discount = line.discount;
    return l;
  });
  const event: Record<string, unknown> = {
    type: head.type,
    transaction_id: id,
    store_id: head.storeId,
    register_id: head.registerId,
    timestamp: head.timestamp,
    currency: head.currency,
    payment: head.payment,
    lines,
    total: formatMinor(cents, currencyDigits(head.currency) ?? 2),
  };
  if (head.customerId) event.customer_id = head.customerId;
  if (head.cashierId) event.cashier_id = head.cashierId;
  return { event, rows: items.map((i) => i.src), cents, units };
}
