/**
 * The exactly-once effect of one batch: ONE PostgreSQL transaction that records each receipt
 * and inventory event once (idempotency keys `ON CONFLICT DO NOTHING RETURNING`), feeds only
 * the newly recorded ones into the rollups, and returns the absolute bucket values the
 * upserts produced, for Redis ("last value wins": a replay rewrites, never adds). The store ×
 * category hour and day deltas, and the register days, are appended to `rollup_pending` and
 * `register_pending` in the same transaction and folded in by the compactor
 * (pipeline/compact.ts).
 *
 * Every statement is set-based (unnest of column arrays), rows are sorted by key so concurrent
 * workers lock shared rows (the chain-wide '*' buckets) in one order and cannot deadlock, and
 * the statements of a phase are pipelined on the transaction's connection.
 */
import type { Runtime } from "../lib/runtime.ts";
import type { Family } from "../lib/keys.ts";
import type { CustomerEvent, InventoryEvent, PosEvent, ReceiptEvent } from "../lib/events.ts";
import type { BucketValue } from "./series.ts";
import type { StoreInfo } from "../lib/stores.ts";
import {
  compacted,
  customerDeltas,
  localDay,
  type PreparedReceipt,
  registerDaily,
  rollupKey,
  type RollupRow,
  rollupsOf,
  skuDaily,
  sortedRows,
  touchedKeys,
} from "./rollup.ts";
import { applyChanges, stockKey, stockPlan } from "./inventory.ts";
import { crashPoint } from "./crash_hook.ts";
import {
  addInventoryDeltas,
  clearCountedAt,
  type CustomerRow,
  insertInventoryEvents,
  insertNewInventoryEvents,
  insertNewReceiptKeys,
  insertPending,
  insertReceiptKeys,
  insertReceipts,
  insertRegisterPending,
  isKeySeenBefore,
  lockInventory,
  readRollup,
  setInventory,
  toBucket,
  upsertCustomers,
  upsertCustomerStats,
  upsertRegisterDay,
  upsertRollup,
  upsertSkuDaily,
} from "./apply_sql.ts";

/**
 * Batches with at least this many new receipts write their hour and day rows (and register
 * days) themselves instead of queueing them for the compactor (measured: at ~4,700 per batch the queue cost
 * 5–10 % more CPU per event; at ~200 it saves ~14 %).
 */
export const COMPACT_BELOW = 2_000;

/** A stream entry as read by a worker. */
export interface StreamEntry {
  stream: string;
  id: string;
  family: Family;
  partition: number;
  /** The raw `e` field (kept for the dead-letter stream). */
  payload: string;
}

/** An entry whose payload decoded into an event. */
export interface DecodedEntry extends StreamEntry {
  event: PosEvent;
}

/** What a committed batch changed. */
export interface ApplyResult {
  /**
   * Absolute values of the buckets the batch touched (new and replayed receipts alike), except,
   * in a batch under {@link COMPACT_BELOW} new receipts, the hours and days its new receipts
   * changed (see `pending`).
   */
  buckets: BucketValue[];
  /**
   * Ids of the `rollup_pending` rows holding this batch's hour and day deltas (none for a big
   * batch); the compactor folds them in and writes those buckets to Redis.
   */
  pending: number[];
  /** Receipts recorded for the first time, in stream order. */
  newReceipts: ReceiptEvent[];
  /** Receipts and inventory events seen before (replays, resends). */
  duplicates: number;
  /** New events behind their partition's watermark, by family. */
  late: Partial<Record<Family, number>>;
  /** `store\u0000transaction` of the late new receipts (flagged on the ticker). */
  lateIds: Set<string>;
  /**
   * Milliseconds per phase: BEGIN and the idempotency keys (on the optimistic path BEGIN only:
   * the keys go with the writes), the round trip of raw rows and rollups, inventory levels that
   * need their rows read first, commit.
   */
  timings: { keys: number; writes: number; inventory: number; commit: number };
  /** Entries that cannot be applied, with the reason (for the dead-letter stream). */
  rejected: { entry: DecodedEntry; reason: string }[];
  /**
   * How the transaction ran: `optimistic` (keys with everything else, one round trip), `rerun`
   * (optimistic, rolled back on an event recorded before, then keys-first) or `keys-first`.
   */
  path: "optimistic" | "rerun" | "keys-first";
}

/** Context the transaction needs: watermarks by stream (ms, null if none) and stores. */
export interface ApplyContext {
  watermarks: Map<string, number | null>;
  stores: Map<string, StoreInfo>;
}

function prepare(entries: DecodedEntry[], ctx: ApplyContext) {
  const receipts: { entry: DecodedEntry; p: PreparedReceipt }[] = [];
  const inventory: DecodedEntry[] = [];
  const customers: CustomerEvent[] = [];
  const rejected: ApplyResult["rejected"] = [];
  for (const entry of entries) {
    const e = entry.event;
    if (e.type === "sale" || e.type === "refund") {
      const store = ctx.stores.get(e.store_id);
      if (!store) {
        rejected.push({
          entry,
          reason:
            `unknown store ${e.store_id}: register it (deno task stores add --id ${e.store_id} ` +
            `--name NAME --timezone Area/City), then replay this entry from the dead-letter stream`,
        });
        continue;
      }
      const watermark = ctx.watermarks.get(entry.stream) ?? null;
      receipts.push({
        entry,
        p: { event: e, day: localDay(e.ts, store.timezone), watermark, timezone: store.timezone },
      });
    } else if (e.type === "inventory") inventory.push(entry);
    else customers.push(e as CustomerEvent);
  }
  return { receipts, inventory, customers, rejected };
}

/** Customer events merged per customer in event-time order: later non-null fields win. */
function mergeCustomers(events: CustomerEvent[]): CustomerRow[] {
  const out = new Map<string, CustomerRow>();
  for (const e of [...events].sort((a, b) => a.ts - b.ts)) {
    let c = out.get(e.customer_id);
    if (!c) {
      out.set(
        e.customer_id,
        c = {
          id: e.customer_id,
          store: null,
          email: null,
          phone: null,
          signup: null,
          updated: e.ts,
        },
      );
    }
    c.store = e.store_id ?? c.store;
    c.email = e.email ?? c.email;
    c.phone = e.phone ?? c.phone;
    if (e.kind === "signup") c.signup = c.signup === null ? e.ts : Math.min(c.signup, e.ts);
    c.updated = Math.max(c.updated, e.ts);
  }
  return [...out.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * After a batch finds an event recorded before, this many of the process's next batches insert
 * their keys first: resends come in runs (a POS catching up, a replay after a crash), and an
 * optimistic transaction would run each of those batches twice.
 */
export const KEYS_FIRST_AFTER_RESEND = 20;
let keysFirstFor = 0;

/**
 * Applies decoded entries in one transaction and returns what changed. Entries that cannot be
 * applied (unknown store) are returned in `rejected`, not thrown. A thrown error means nothing
 * was committed.
 *
 * Outside replays and resends every event of a batch is new, so the transaction first assumes
 * so: the idempotency keys, the raw rows and the rollups go out in one round trip, and if the
 * keys show that some event was recorded before, it rolls back and the batch is applied again
 * with the keys inserted first (a replayed batch costs two transactions; a new one, two fewer
 * round trips). After such a batch, the next {@link KEYS_FIRST_AFTER_RESEND} go keys-first.
 */
export async function applyEvents(
  rt: Pick<Runtime, "sql">,
  entries: DecodedEntry[],
  ctx: ApplyContext,
): Promise<ApplyResult> {
  const { receipts, inventory, customers, rejected } = prepare(entries, ctx);
  // First occurrence of a (store, transaction) wins; sorted so key locks are taken in order.
  const byKey = new Map<string, { entry: DecodedEntry; p: PreparedReceipt }>();
  for (const r of receipts) {
    const k = `${r.p.event.store_id}\u0000${r.p.event.transaction_id}`;
    if (!byKey.has(k)) byKey.set(k, r);
  }
  const invByKey = new Map<string, InventoryEvent>();
  for (const { event } of inventory) {
    const e = event as InventoryEvent;
    const k = `${e.store_id}\u0000${e.event_id}`;
    if (!invByKey.has(k)) invByKey.set(k, e);
  }
  const batch: Batch = {
    receipts,
    inventory,
    byKey,
    keyOrder: [...byKey.keys()].sort(),
    invByKey,
    invOrder: [...invByKey.keys()].sort(),
    customers: mergeCustomers(customers),
  };
  let result: Omit<ApplyResult, "rejected" | "path"> | null = null;
  let path: ApplyResult["path"] = "keys-first";
  if (keysFirstFor > 0) keysFirstFor--;
  else if (byKey.size === receipts.length && invByKey.size === inventory.length) {
    try {
      result = await transaction(rt, batch, true);
      path = "optimistic";
    } catch (e) {
      if (!isKeySeenBefore(e)) throw e;
      path = "rerun";
    }
  }
  result ??= await transaction(rt, batch, false);
  if (result.duplicates) keysFirstFor = KEYS_FIRST_AFTER_RESEND;
  crashPoint("after-commit");
  return { ...result, path, rejected };
}

/** A batch's events, deduplicated by key, as {@link transaction} takes them. */
interface Batch {
  receipts: { entry: DecodedEntry; p: PreparedReceipt }[];
  inventory: DecodedEntry[];
  byKey: Map<string, { entry: DecodedEntry; p: PreparedReceipt }>;
  keyOrder: string[];
  invByKey: Map<string, InventoryEvent>;
  invOrder: string[];
  customers: CustomerRow[];
}

/**
 * The batch transaction. `optimistic`: every receipt and inventory event is taken as new and the
 * keys are inserted in the same round trip as everything else; when one was not, the key's
 * unique violation rolls the transaction back and is thrown (see `isKeySeenBefore`). Otherwise
 * the keys go first and only the new events are applied, and the buckets replayed receipts touch
 * are re-read so Redis is repaired.
 */
async function transaction(
  rt: Pick<Runtime, "sql">,
  batch: Batch,
  optimistic: boolean,
): Promise<Omit<ApplyResult, "rejected" | "path">> {
  const { receipts, inventory, byKey, keyOrder, invByKey, invOrder } = batch;
  const t0 = performance.now();
  const marks: number[] = [];
  const result = await rt.sql.begin(async (tx) => {
    const keyEvents = () => keyOrder.map((k) => byKey.get(k)!.p.event);
    const invEvents = () => invOrder.map((k) => invByKey.get(k)!);
    let fresh: PreparedReceipt[] = [];
    const replayed: PreparedReceipt[] = [];
    let freshInv: InventoryEvent[];
    // Idempotency keys and customer profiles (first, in both modes).
    let checks: (Promise<unknown> | null)[] = [];
    if (optimistic) {
      fresh = receipts.map((r) => r.p);
      freshInv = invEvents();
      checks = [
        keyOrder.length ? insertNewReceiptKeys(tx, keyEvents()) : null,
        invOrder.length ? insertNewInventoryEvents(tx, freshInv) : null,
        batch.customers.length ? upsertCustomers(tx, batch.customers) : null,
      ];
    } else {
      const [newKeys, newInv] = await Promise.all([
        keyOrder.length ? insertReceiptKeys(tx, keyEvents()) : Promise.resolve([]),
        invOrder.length ? insertInventoryEvents(tx, invEvents()) : Promise.resolve([]),
        batch.customers.length ? upsertCustomers(tx, batch.customers) : null,
      ]);
      const isNew = new Set(newKeys.map((r) => `${r.store_id}\u0000${r.transaction_id}`));
      for (const r of receipts) {
        const k = `${r.p.event.store_id}\u0000${r.p.event.transaction_id}`;
        if (isNew.has(k) && byKey.get(k) === r) fresh.push(r.p);
        else replayed.push(r.p);
      }
      const newInvKeys = new Set(newInv.map((r) => `${r.store_id}\u0000${r.event_id}`));
      freshInv = invOrder.filter((k) => newInvKeys.has(k)).map((k) => invByKey.get(k)!);
    }
    marks.push(performance.now());

    // Then, in one round trip: raw rows, per-SKU days, inventory, customer stats and rollups.
    const rollups = rollupsOf(fresh);
    // Pairs with only additions (sales, refunds, deliveries) take a one-upsert fast path; pairs
    // with a count are read, locked and set exactly (applyChanges).
    const freshEvents = fresh.map((p) => p.event);
    const stock = stockPlan(freshEvents, freshInv);
    const deltas = stock.net;
    const exactKeys = [...stock.exact.values()].map((list) => list[0]);
    const sku = skuDaily(fresh);
    const registers = registerDaily(fresh);
    const cust = customerDeltas(fresh);
    const res = ["minute", "hour", "day"] as const;
    // Hours and days go to the compactor's queue (see `compacted`), unless the batch is big (a
    // backlog being caught up): it touches most of those buckets once anyway, and queueing them
    // would only add the compactor's work to its own.
    const defer = fresh.length < COMPACT_BELOW;
    const direct = res.map((r) => defer && compacted(r) ? [] : sortedRows(rollups[r]));
    const queued = (["hour", "day"] as const).map((r) => ({
      r,
      rows: defer && compacted(r) ? [...rollups[r].values()] : [],
    }));
    // Buckets touched only by replayed receipts: re-read, so Redis is repaired on a replay.
    const rereads = res.map((r) => {
      const want = new Map<string, RollupRow>();
      for (const p of replayed) {
        for (const row of touchedKeys(p)[r]) {
          const k = rollupKey(row.store_id, row.category, row.bucket);
          if (!rollups[r].has(k)) want.set(k, row);
        }
      }
      return [...want.values()];
    });
    // Statements run in the order they are issued. Customer stats and the chain-wide rollup rows
    // are shared by workers of every partition, so they come last and their locks are held only
    // until the commit.
    const [, [, , , added, lockedExact, , pendingHour, pendingDay, ...rows]] = await Promise
      .all([
        Promise.all(checks),
        Promise.all([
          fresh.length ? insertReceipts(tx, fresh) : null,
          sku.length ? upsertSkuDaily(tx, sku) : null,
          // Register days go the way of the hours and days (before them: the compactor's order).
          registers.length
            ? (defer ? insertRegisterPending : upsertRegisterDay)(tx, registers)
            : null,
          deltas.length ? addInventoryDeltas(tx, deltas) : Promise.resolve([]),
          exactKeys.length ? lockInventory(tx, exactKeys) : Promise.resolve([]),
          cust.length ? upsertCustomerStats(tx, cust) : null,
          ...queued.map((q) => q.rows.length ? insertPending(tx, q.r, q.rows) : []),
          ...direct.map((d, i) => d.length ? upsertRollup(tx, res[i], d) : []),
          ...rereads.map((d, i) => d.length ? readRollup(tx, res[i], d) : []),
        ]),
      ]);
    marks.push(performance.now());

    // Inventory levels that need the rows read first (a round trip only when the batch has a
    // count, or a pair was seen for the first time).
    const locked = [...lockedExact];
    const changes = new Map(stock.exact);
    if (added.length < deltas.length) {
      // A count newer than some of these changes: those pairs (already locked by the upsert)
      // go through the exact path too.
      const done = new Set(added.map((r) => stockKey(r.store_id, r.sku)));
      const rest = deltas.filter((d) => !done.has(stockKey(d.store_id, d.sku)));
      const restKeys = new Set(rest.map((d) => stockKey(d.store_id, d.sku)));
      for (const [k, list] of stock.changesOf(restKeys)) changes.set(k, list);
      for (const row of await lockInventory(tx, rest)) locked.push(row);
    }
    const levels = locked.map((row) => ({
      ...row,
      level: applyChanges(
        { on_hand: row.on_hand, counted_at: row.counted_at ? row.counted_at.getTime() : null },
        changes.get(stockKey(row.store_id, row.sku)) ?? [],
      ),
    }));
    const inserted = added.filter((r) => r.inserted);
    if (inserted.length || levels.length) {
      await Promise.all([
        inserted.length ? clearCountedAt(tx, inserted) : null,
        levels.length ? setInventory(tx, levels) : null,
      ]);
    }
    marks.push(performance.now());
    crashPoint("before-commit");
    const buckets: BucketValue[] = [];
    [...res, ...res].forEach((r, i) => {
      for (const row of rows[i] as Record<string, unknown>[]) buckets.push(toBucket(r, row));
    });
    const late: ApplyResult["late"] = {};
    const lateIds = new Set<string>();
    for (const p of fresh) {
      if (p.watermark !== null && p.event.ts < p.watermark) {
        late.sales = (late.sales ?? 0) + 1;
        lateIds.add(`${p.event.store_id}\u0000${p.event.transaction_id}`);
      }
    }
    return {
      buckets,
      pending: [...pendingHour, ...pendingDay].map((r) => Number(r.id)),
      newReceipts: freshEvents,
      duplicates: replayed.length + inventory.length - freshInv.length,
      late,
      lateIds,
    };
  });
  const end = performance.now();
  const ms = (a: number, b: number) => Math.round((b - a) * 10) / 10;
  return {
    ...result,
    timings: {
      keys: ms(t0, marks[0]),
      writes: ms(marks[0], marks[1]),
      inventory: ms(marks[1], marks[2]),
      commit: ms(marks[2], end),
    },
  };
}
