/**
 * The live ticker: newest receipts (store, store-local time, amount, items), no customer data.
 * New receipts arrive with each pipeline update and slide in at the top.
 */
import { useEffect, useState } from "preact/hooks";
import { clockTime, count, money } from "../lib/dashboard/format.ts";
import { type LiveReceipt, onUpdate } from "./live_client.ts";

interface StoreInfo {
  name: string;
  timezone: string;
  currency: string;
}

interface Props {
  receipts: LiveReceipt[];
  stores: Record<string, StoreInfo>;
  /** Only this store's receipts ("*": all). */
  store_id: string;
  limit?: number;
}

/** Merges new receipts in, newest first, without repeats. */
export function mergeReceipts(prev: LiveReceipt[], add: LiveReceipt[], limit: number) {
  const seen = new Set(prev.map((r) => `${r.store_id}\u0000${r.transaction_id}`));
  const fresh = add.filter((r) => !seen.has(`${r.store_id}\u0000${r.transaction_id}`));
  if (!fresh.length) return prev;
  return [...fresh, ...prev].sort((a, b) => b.ts - a.ts).slice(0, limit);
}

export default function Ticker({ receipts, stores, store_id, limit = 12 }: Props) {
  const [list, setList] = useState(receipts);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  useEffect(() =>
    onUpdate((u) => {
      const mine = (u.receipts ?? []).filter((r) => store_id === "*" || r.store_id === store_id);
      if (!mine.length) return;
      setList((prev) => mergeReceipts(prev, mine, limit));
      setFresh(new Set(mine.map((r) => `${r.store_id}\u0000${r.transaction_id}`)));
    }), [store_id, limit]);
  if (!list.length) {
    return (
      <p class="empty" id="ticker-empty">
        No receipts yet. They appear here the moment a till sends one (POST /api/v1/events), or
        start the simulator: <code>deno task simulate</code>.
      </p>
    );
  }
  return (
    <ol class="ticker" id="ticker" aria-live="polite">
      {list.map((r) => {
        const s = stores[r.store_id];
        const k = `${r.store_id}\u0000${r.transaction_id}`;
        return (
          <li
            key={k}
            class={`${r.type}${fresh.has(k) ? " new" : ""}`}
            data-tx={r.transaction_id}
          >
            <time>{clockTime(r.ts, s?.timezone ?? "UTC", true)}</time>
            <span class="store">{s?.name ?? r.store_id}</span>
            <span class="items">{count(r.items)} {r.items === 1 ? "item" : "items"}</span>
            <span class="amount">
              {r.type === "refund" ? "−" : ""}
              {money(r.total_cents, s?.currency ?? "USD")}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
