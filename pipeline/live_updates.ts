/**
 * The compact update published after each committed batch on the capped `live:updates`
 * stream, which the web tier fans out to browsers over SSE (the entry id is the SSE event id,
 * so Last-Event-ID resumes). One entry per batch, field `u` = JSON {@link LiveUpdate}: the
 * absolute values of the whole-store and chain-wide buckets (category '*') the batch changed
 * (its minutes; a big batch's hours and days too) within {@link LIVE_WINDOW_MS} of the commit,
 * and the newest receipts for the ticker (no customer data); and one per compaction, with the
 * hour and day buckets it folded in and no receipts (pipeline/compact.ts). Per-category
 * buckets are left out: they are most of the bytes (a 2,000-receipt batch over 50 stores
 * changes ~1,400 buckets, ~150 of them category '*') and live pages read them from the series
 * store. Capped with MAXLEN ~ so a slow or absent web tier never grows Redis.
 */
import type { Redis } from "../lib/redis.ts";
import { DAY_MS } from "../lib/clock.ts";
import type { ReceiptEvent } from "../lib/events.ts";
import type { BucketValue } from "./series.ts";

/** Entries kept on `live:updates` (approximately; trimmed in whole nodes). */
export const LIVE_UPDATES_MAXLEN = 1_000;
/** Receipts per update for the ticker. */
export const TICKER_RECEIPTS = 20;
/**
 * Buckets starting this long before the commit or earlier are left out of an update. Live
 * pages show today and the last hours (a store-local day starts at most 36 h before the
 * commit), and a backlog of old history would otherwise put megabytes of buckets nobody
 * watches into every entry, up to {@link LIVE_UPDATES_MAXLEN} of them.
 */
export const LIVE_WINDOW_MS = 2 * DAY_MS;

/** A receipt on the ticker: what a store manager may see, no customer. */
export interface TickerReceipt {
  store_id: string;
  /** Event time, epoch ms. */
  ts: number;
  total_cents: number;
  /** Units on the receipt. */
  items: number;
  type: "sale" | "refund";
  transaction_id: string;
  /** True when the receipt arrived behind its partition's watermark. */
  late?: boolean;
}

/** One `live:updates` entry's `u` field. */
export interface LiveUpdate {
  /** When the batch committed (epoch ms). */
  at: number;
  /** Changed buckets with category '*' (per store and chain-wide), absolute values. */
  buckets: BucketValue[];
  receipts: TickerReceipt[];
  /** Late receipts in this batch; their buckets carry a raised `revised`. */
  late: number;
  /** Events in the batch that were replays of ones already counted. */
  duplicates: number;
}

/** Builds the update: newest receipts first (by event time), at most {@link TICKER_RECEIPTS}. */
export function liveUpdate(
  at: number,
  buckets: BucketValue[],
  receipts: ReceiptEvent[],
  late: number,
  duplicates: number,
  lateIds: Set<string> = new Set(),
): LiveUpdate {
  const newest = [...receipts].sort((a, b) => b.ts - a.ts).slice(0, TICKER_RECEIPTS);
  return {
    at,
    buckets: buckets.filter((b) => b.category === "*" && b.bucket > at - LIVE_WINDOW_MS),
    receipts: newest.map((r) => {
      const t: TickerReceipt = {
        store_id: r.store_id,
        ts: r.ts,
        total_cents: r.total_cents,
        items: r.lines.reduce((a, l) => a + l.quantity, 0),
        type: r.type,
        transaction_id: r.transaction_id,
      };
      if (lateIds.has(`${r.store_id}\u0000${r.transaction_id}`)) t.late = true;
      return t;
    }),
    late,
    duplicates,
  };
}

/** Queues the XADD of an update on a pipeline (MAXLEN ~ cap). */
export function publishLiveUpdate(
  pipe: ReturnType<Redis["pipeline"]>,
  stream: string,
  update: LiveUpdate,
): void {
  pipe.xadd(stream, "MAXLEN", "~", LIVE_UPDATES_MAXLEN, "*", "u", JSON.stringify(update));
}

/** Parses a `live:updates` entry's fields (for the web tier and tests). */
export function parseLiveUpdate(fields: string[]): LiveUpdate | null {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === "u") {
      try {
        return JSON.parse(fields[i + 1]) as LiveUpdate;
      } catch {
        return null;
      }
    }
  }
  return null;
}
