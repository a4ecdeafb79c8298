/**
 * The exactly-once effect of one batch: ONE PostgreSQL transaction that records each receipt
 * and inventory event once (idempotency keys `ON CONFLICT DO NOTHING RETURNING`), feeds only
 * the newly recorded ones into the rollups, and returns the absolute bucket values the
 * upserts produced, for Redis ("last value wins": a replay rewrites, never adds).
 *
 * Every statement is set-based (unnest of column arrays), rows are sorted by key so concurrent
 * workers lock shared rows (the chain-wide '*' buckets) in one order and cannot deadlock, and
 * the statements of a phase are pipelined on the transaction's connection.
 */
import type postgres from "postgres";
import type { Runtime } from "../lib/runtime.ts";
import type { Family } from "../lib/keys.ts";
import type { CustomerEvent, InventoryEvent, PosEvent, ReceiptEvent } from "../lib/events.ts";
import type { BucketValue, Resolution } from "./series.ts";
import type { StoreInfo } from "../lib/stores.ts";
import {
  addReceipt,
  customerDeltas,
  dayBucket,
  emptyRollups,
  localDay,
  type PreparedReceipt,
  rollupKey,
  type RollupRow,
  skuDaily,
  sortedRows,
  touchedKeys,
} from "./rollup.ts";
import { applyChanges, groupChanges, type StockChange } from "./inventory.ts";
import { crashPoint } from "./crash_hook.ts";

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
  /** Absolute values of every bucket the batch touched (new and replayed receipts alike). */
  buckets: BucketValue[];
  /** Receipts recorded for the first time, in stream order. */
  newReceipts: ReceiptEvent[];
  /** Receipts and inventory events seen before (replays, resends). */
  duplicates: number;
  /** New events behind their partition's watermark, by family. */
  late: Partial<Record<Family, number>>;
  /** `store\u0000transaction` of the late new receipts (flagged on the ticker). */
  lateIds: Set<string>;
  /** Entries that cannot be applied, with the reason (for the dead-letter stream). */
  rejected: { entry: DecodedEntry; reason: string }[];
}

/** Context the transaction needs: watermarks by stream (ms, null if none) and stores. */
export interface ApplyContext {
  watermarks: Map<string, number | null>;
  stores: Map<string, StoreInfo>;
}

const iso = (ms: number) => new Date(ms).toISOString();

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
function mergeCustomers(events: CustomerEvent[]) {
  const out = new Map<string, {
    id: string;
    store: string | null;
    email: string | null;
    phone: string | null;
    signup: number | null;
    updated: number;
  }>();
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

/** The SQL handle inside a transaction. */
type Tx = postgres.TransactionSql;

const COUNTER_COLS = [
  "sales_cents",
  "transactions",
  "units",
  "refunds",
  "refund_cents",
  "discount_cents",
  "revised",
] as const;

function toBucket(res: Resolution, r: Record<string, unknown>): BucketValue {
  const out = {
    resolution: res,
    store_id: r.store_id as string,
    category: r.category as string,
    bucket: res === "day" ? dayBucket(r.day as string) : Number(r.ms),
  } as BucketValue;
  for (const c of COUNTER_COLS) out[c] = Number(r[c]);
  return out;
}

function upsertRollup(tx: Tx, res: Resolution, rows: RollupRow[]) {
  const col = (k: keyof RollupRow) => rows.map((r) => r[k]);
  const s = col("store_id"), c = col("category");
  const [sc, t, u, rf, rc, dc, rv] = COUNTER_COLS.map((k) => col(k));
  if (res === "day") {
    const days = rows.map((r) => iso(r.bucket).slice(0, 10));
    return tx`
      insert into rollup_day as r (store_id, category, day, sales_cents, transactions, units,
        refunds, refund_cents, discount_cents, revised)
      select * from unnest(${s}::text[], ${c}::text[], ${days}::date[], ${sc}::int8[],
        ${t}::int4[], ${u}::int4[], ${rf}::int4[], ${rc}::int8[], ${dc}::int8[], ${rv}::int4[])
      on conflict (store_id, category, day) do update set
        sales_cents = r.sales_cents + excluded.sales_cents,
        transactions = r.transactions + excluded.transactions, units = r.units + excluded.units,
        refunds = r.refunds + excluded.refunds, refund_cents = r.refund_cents + excluded.refund_cents,
        discount_cents = r.discount_cents + excluded.discount_cents,
        revised = r.revised + excluded.revised
      returning store_id, category, day::text as day, sales_cents, transactions, units, refunds,
        refund_cents, discount_cents, revised`;
  }
  const table = res === "minute" ? "rollup_minute" : "rollup_hour";
  const b = rows.map((r) => iso(r.bucket));
  return tx`
    insert into ${tx(table)} as r (store_id, category, bucket, sales_cents, transactions, units,
      refunds, refund_cents, discount_cents, revised)
    select * from unnest(${s}::text[], ${c}::text[], ${b}::timestamptz[], ${sc}::int8[],
      ${t}::int4[], ${u}::int4[], ${rf}::int4[], ${rc}::int8[], ${dc}::int8[], ${rv}::int4[])
    on conflict (store_id, category, bucket) do update set
      sales_cents = r.sales_cents + excluded.sales_cents,
      transactions = r.transactions + excluded.transactions, units = r.units + excluded.units,
      refunds = r.refunds + excluded.refunds, refund_cents = r.refund_cents + excluded.refund_cents,
      discount_cents = r.discount_cents + excluded.discount_cents,
      revised = r.revised + excluded.revised
    returning store_id, category, (extract(epoch from bucket) * 1000)::int8 as ms, sales_cents,
      transactions, units, refunds, refund_cents, discount_cents, revised`;
}

/** Current values of rollup rows (the buckets replayed receipts touch, to repair Redis). */
function readRollup(tx: Tx, res: Resolution, rows: RollupRow[]) {
  const s = rows.map((r) => r.store_id), c = rows.map((r) => r.category);
  if (res === "day") {
    const days = rows.map((r) => iso(r.bucket).slice(0, 10));
    return tx`
      select store_id, category, day::text as day, sales_cents, transactions, units, refunds,
        refund_cents, discount_cents, revised
      from rollup_day where (store_id, category, day) in
        (select * from unnest(${s}::text[], ${c}::text[], ${days}::date[]))`;
  }
  const table = res === "minute" ? "rollup_minute" : "rollup_hour";
  const b = rows.map((r) => iso(r.bucket));
  return tx`
    select store_id, category, (extract(epoch from bucket) * 1000)::int8 as ms, sales_cents,
      transactions, units, refunds, refund_cents, discount_cents, revised
    from ${tx(table)} where (store_id, category, bucket) in
      (select * from unnest(${s}::text[], ${c}::text[], ${b}::timestamptz[]))`;
}

function insertReceipts(tx: Tx, fresh: PreparedReceipt[]) {
  const ev = fresh.map((p) => p.event);
  const units = ev.map((e) => e.lines.reduce((a, l) => a + l.quantity, 0));
  const discounts = ev.map((e) => e.lines.reduce((a, l) => a + l.discount_cents, 0));
  return tx`
    insert into receipts (store_id, transaction_id, type, register_id, cashier_id, customer_id,
      ts, local_date, currency, payment, total_cents, discount_cents, units)
    select * from unnest(${ev.map((e) => e.store_id)}::text[],
      ${ev.map((e) => e.transaction_id)}::text[], ${ev.map((e) => e.type)}::text[],
      ${ev.map((e) => e.register_id)}::text[], ${ev.map((e) => e.cashier_id ?? null)}::text[],
      ${ev.map((e) => e.customer_id ?? null)}::text[], ${ev.map((e) => iso(e.ts))}::timestamptz[],
      ${fresh.map((p) => p.day)}::date[], ${ev.map((e) => e.currency)}::text[],
      ${ev.map((e) => e.payment)}::text[], ${ev.map((e) => e.total_cents)}::int8[],
      ${discounts}::int8[], ${units}::int4[])`;
}

function insertLines(tx: Tx, fresh: ReceiptEvent[]) {
  const cols = {
    s: [] as string[],
    t: [] as string[],
    ts: [] as string[],
    n: [] as number[],
    sku: [] as string[],
    cat: [] as string[],
    q: [] as number[],
    p: [] as number[],
    d: [] as number[],
    a: [] as number[],
  };
  for (const e of fresh) {
    const at = iso(e.ts);
    e.lines.forEach((l, i) => {
      cols.s.push(e.store_id);
      cols.t.push(e.transaction_id);
      cols.ts.push(at);
      cols.n.push(i + 1);
      cols.sku.push(l.sku);
      cols.cat.push(l.category);
      cols.q.push(l.quantity);
      cols.p.push(l.unit_price_cents);
      cols.d.push(l.discount_cents);
      cols.a.push(l.quantity * l.unit_price_cents - l.discount_cents);
    });
  }
  return tx`
    insert into receipt_lines (store_id, transaction_id, ts, line_no, sku, category, quantity,
      unit_price_cents, discount_cents, amount_cents)
    select * from unnest(${cols.s}::text[], ${cols.t}::text[], ${cols.ts}::timestamptz[],
      ${cols.n}::int4[], ${cols.sku}::text[], ${cols.cat}::text[], ${cols.q}::int4[],
      ${cols.p}::int8[], ${cols.d}::int8[], ${cols.a}::int8[])`;
}

/**
 * Applies decoded entries in one transaction and returns what changed. Entries that cannot be
 * applied (unknown store) are returned in `rejected`, not thrown. A thrown error means nothing
 * was committed.
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
  const keyOrder = [...byKey.keys()].sort();
  const invByKey = new Map<string, InventoryEvent>();
  for (const { event } of inventory) {
    const e = event as InventoryEvent;
    const k = `${e.store_id}\u0000${e.event_id}`;
    if (!invByKey.has(k)) invByKey.set(k, e);
  }
  const invOrder = [...invByKey.keys()].sort();
  const merged = mergeCustomers(customers);

  const result = await rt.sql.begin(async (tx) => {
    // Phase 1: idempotency keys and customer profiles, pipelined.
    const [newKeys, newInv] = await Promise.all([
      keyOrder.length
        ? tx<{ store_id: string; transaction_id: string }[]>`
          insert into receipt_keys (store_id, transaction_id, ts)
          select * from unnest(
            ${keyOrder.map((k) => byKey.get(k)!.p.event.store_id)}::text[],
            ${keyOrder.map((k) => byKey.get(k)!.p.event.transaction_id)}::text[],
            ${keyOrder.map((k) => iso(byKey.get(k)!.p.event.ts))}::timestamptz[])
          on conflict do nothing returning store_id, transaction_id`
        : Promise.resolve([]),
      invOrder.length
        ? tx<{ store_id: string; event_id: string }[]>`
          insert into inventory_events (store_id, event_id, sku, kind, quantity, ts)
          select * from unnest(${invOrder.map((k) => invByKey.get(k)!.store_id)}::text[],
            ${invOrder.map((k) => invByKey.get(k)!.event_id)}::text[],
            ${invOrder.map((k) => invByKey.get(k)!.sku)}::text[],
            ${invOrder.map((k) => invByKey.get(k)!.kind)}::text[],
            ${invOrder.map((k) => invByKey.get(k)!.quantity)}::int4[],
            ${invOrder.map((k) => iso(invByKey.get(k)!.ts))}::timestamptz[])
          on conflict do nothing returning store_id, event_id`
        : Promise.resolve([]),
      merged.length
        ? tx`
          insert into customers as c (customer_id, store_id, email, phone, signed_up_at,
            updated_at)
          select * from unnest(${merged.map((c) => c.id)}::text[],
            ${merged.map((c) => c.store)}::text[], ${merged.map((c) => c.email)}::text[],
            ${merged.map((c) => c.phone)}::text[],
            ${merged.map((c) => (c.signup === null ? null : iso(c.signup)))}::timestamptz[],
            ${merged.map((c) => iso(c.updated))}::timestamptz[])
          on conflict (customer_id) do update set
            store_id = case when excluded.updated_at >= c.updated_at
              then coalesce(excluded.store_id, c.store_id) else coalesce(c.store_id, excluded.store_id) end,
            email = case when excluded.updated_at >= c.updated_at
              then coalesce(excluded.email, c.email) else coalesce(c.email, excluded.email) end,
            phone = case when excluded.updated_at >= c.updated_at
              then coalesce(excluded.phone, c.phone) else coalesce(c.phone, excluded.phone) end,
            signed_up_at = least(c.signed_up_at, excluded.signed_up_at),
            updated_at = greatest(c.updated_at, excluded.updated_at)`
        : Promise.resolve([]),
    ]);

    const isNew = new Set(newKeys.map((r) => `${r.store_id}\u0000${r.transaction_id}`));
    const fresh: PreparedReceipt[] = [];
    const replayed: PreparedReceipt[] = [];
    for (const r of receipts) {
      const k = `${r.p.event.store_id}\u0000${r.p.event.transaction_id}`;
      if (isNew.has(k) && byKey.get(k) === r) fresh.push(r.p);
      else replayed.push(r.p);
    }
    const newInvKeys = new Set(newInv.map((r) => `${r.store_id}\u0000${r.event_id}`));
    const freshInv = invOrder.filter((k) => newInvKeys.has(k)).map((k) => invByKey.get(k)!);

    // Phase 2: raw rows, per-SKU days, customer stats, inventory row locks — pipelined.
    const rollups = emptyRollups();
    for (const p of fresh) addReceipt(rollups, p);
    const changes: StockChange[] = [];
    for (const { event: e } of fresh) {
      for (const l of e.lines) {
        changes.push({
          store_id: e.store_id,
          sku: l.sku,
          ts: e.ts,
          kind: "delta",
          quantity: e.type === "sale" ? -l.quantity : l.quantity,
        });
      }
    }
    for (const e of freshInv) {
      changes.push({
        store_id: e.store_id,
        sku: e.sku,
        ts: e.ts,
        kind: e.kind === "count" ? "count" : "delta",
        quantity: e.quantity,
      });
    }
    const stock = groupChanges(changes);
    const stockKeys = [...stock.values()].map((list) => list[0]);
    const sku = skuDaily(fresh);
    const cust = customerDeltas(fresh);
    const res = ["minute", "hour", "day"] as const;
    const freshEvents = fresh.map((p) => p.event);
    const [, , , , locked] = await Promise.all([
      fresh.length ? insertReceipts(tx, fresh) : null,
      fresh.length ? insertLines(tx, freshEvents) : null,
      sku.length
        ? tx`
          insert into sku_daily as d (store_id, day, sku, category, units, revenue_cents)
          select * from unnest(${sku.map((x) => x.store_id)}::text[],
            ${sku.map((x) => x.day)}::date[], ${sku.map((x) => x.sku)}::text[],
            ${sku.map((x) => x.category)}::text[], ${sku.map((x) => x.units)}::int4[],
            ${sku.map((x) => x.revenue_cents)}::int8[])
          on conflict (store_id, day, sku) do update set units = d.units + excluded.units,
            revenue_cents = d.revenue_cents + excluded.revenue_cents`
        : null,
      cust.length
        ? tx`
          insert into customer_stats as c (customer_id, first_purchase, last_purchase, orders,
            revenue_cents, refunds)
          select id, coalesce(f, seen), coalesce(l, seen), o, r, rf from unnest(
            ${cust.map((x) => x.customer_id)}::text[],
            ${
          cust.map((x) => x.first_purchase === null ? null : iso(x.first_purchase))
        }::timestamptz[],
            ${
          cust.map((x) => x.last_purchase === null ? null : iso(x.last_purchase))
        }::timestamptz[],
            ${cust.map((x) => iso(x.seen))}::timestamptz[], ${cust.map((x) => x.orders)}::int4[],
            ${cust.map((x) => x.revenue_cents)}::int8[], ${cust.map((x) => x.refunds)}::int4[])
            as u(id, f, l, seen, o, r, rf)
          on conflict (customer_id) do update set
            first_purchase = case when excluded.orders = 0 then c.first_purchase
              when c.orders = 0 then excluded.first_purchase
              else least(c.first_purchase, excluded.first_purchase) end,
            last_purchase = case when excluded.orders = 0 then c.last_purchase
              when c.orders = 0 then excluded.last_purchase
              else greatest(c.last_purchase, excluded.last_purchase) end,
            orders = c.orders + excluded.orders,
            revenue_cents = c.revenue_cents + excluded.revenue_cents,
            refunds = c.refunds + excluded.refunds`
        : null,
      // Insert-or-lock: a no-op update takes the row lock and returns the current level.
      stockKeys.length
        ? tx<{ store_id: string; sku: string; on_hand: number; counted_at: Date | null }[]>`
          insert into inventory as i (store_id, sku)
          select * from unnest(${stockKeys.map((c) => c.store_id)}::text[],
            ${stockKeys.map((c) => c.sku)}::text[])
          on conflict (store_id, sku) do update set updated_at = i.updated_at
          returning store_id, sku, on_hand, counted_at`
        : Promise.resolve([]),
    ]);

    // Phase 3: inventory levels (absolute) and the rollups, pipelined and last: the chain-wide
    // rows are shared by every worker, so their locks are held only until the commit.
    const levels = locked.map((row) => ({
      ...row,
      level: applyChanges(
        { on_hand: row.on_hand, counted_at: row.counted_at ? row.counted_at.getTime() : null },
        stock.get(`${row.store_id}\u0000${row.sku}`) ?? [],
      ),
    }));
    const upserts = res.map((r) => {
      const rows = sortedRows(rollups[r]);
      return rows.length ? upsertRollup(tx, r, rows) : Promise.resolve([]);
    });
    // Buckets touched only by replayed receipts: re-read, so Redis is repaired on a replay.
    const rereads = res.map((r) => {
      const want = new Map<string, RollupRow>();
      for (const p of replayed) {
        for (const row of touchedKeys(p)[r]) {
          const k = rollupKey(row.store_id, row.category, row.bucket);
          if (!rollups[r].has(k)) want.set(k, row);
        }
      }
      return want.size ? readRollup(tx, r, [...want.values()]) : Promise.resolve([]);
    });
    const [, ...rows] = await Promise.all([
      levels.length
        ? tx`
        update inventory as i set on_hand = u.on_hand, counted_at = u.counted_at, updated_at = now()
        from unnest(${levels.map((n) => n.store_id)}::text[], ${levels.map((n) => n.sku)}::text[],
          ${levels.map((n) => n.level.on_hand)}::int4[],
          ${
          levels.map((n) => n.level.counted_at === null ? null : iso(n.level.counted_at))
        }::timestamptz[]) as u(store_id, sku, on_hand, counted_at)
        where i.store_id = u.store_id and i.sku = u.sku`
        : null,
      ...upserts,
      ...rereads,
    ]);
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
      newReceipts: freshEvents,
      duplicates: replayed.length + inventory.length - freshInv.length,
      late,
      lateIds,
      rejected,
    };
  });
  crashPoint("after-commit");
  return result as ApplyResult;
}
