/**
 * The SQL statements of the batch transaction (pipeline/apply.ts), one function each. Every
 * statement is set-based: columns travel as arrays and `unnest` turns them into rows, so a
 * batch of thousands of events costs a handful of statements. The arrays are unnested in a
 * select list (`select unnest(a) x, unnest(b) y`, which runs them in step, row by row) rather
 * than with `from unnest(a, b)`, which first copies every row into a tuplestore (measured:
 * 10–30 % of the receipts insert; docs/benchmarks.md, ninth pass). Callers pass rows sorted by
 * key, so concurrent transactions take row locks in one order. The hot statements take their
 * arrays as ready-made literals (pipeline/pg_arrays.ts) and timestamps as epoch ms.
 */
import type postgres from "postgres";
import type { InventoryEvent, ReceiptEvent } from "../lib/events.ts";
import { type BucketValue, METRICS, type Resolution } from "./series.ts";
import { dayBucket, type PreparedReceipt, type RollupRow } from "./rollup.ts";
import type { CustomerDelta, RegisterDay, SkuDay } from "./rollup.ts";
import type { NetChange, StockLevel } from "./inventory.ts";
import { intArray, linesArray, textArray } from "./pg_arrays.ts";

/** ISO-8601 of epoch ms, as PostgreSQL takes timestamptz array elements. */
export const iso = (ms: number) => new Date(ms).toISOString();

/** A customer profile merged from the batch's customer events. */
export interface CustomerRow {
  id: string;
  store: string | null;
  email: string | null;
  phone: string | null;
  signup: number | null;
  updated: number;
}

/** The SQL handle inside a transaction. */
export type Tx = postgres.TransactionSql;

export function toBucket(res: Resolution, r: Record<string, unknown>): BucketValue {
  const out = {
    resolution: res,
    store_id: r.store_id as string,
    category: r.category as string,
    bucket: res === "day" ? dayBucket(r.day as string) : Number(r.ms),
  } as BucketValue;
  for (const c of METRICS) out[c] = Number(r[c]);
  return out;
}

/** The `do update` of a rollup upsert (alias `r`): the incoming counters are added. */
function addCounters(tx: Tx) {
  return tx`
    sales_cents = r.sales_cents + excluded.sales_cents,
    transactions = r.transactions + excluded.transactions, units = r.units + excluded.units,
    refunds = r.refunds + excluded.refunds, refund_cents = r.refund_cents + excluded.refund_cents,
    discount_cents = r.discount_cents + excluded.discount_cents,
    revised = r.revised + excluded.revised`;
}

export function upsertRollup(tx: Tx, res: Resolution, rows: RollupRow[]) {
  const s = textArray(rows.map((r) => r.store_id)), c = textArray(rows.map((r) => r.category));
  // METRICS is in the rollup tables' column order, which the insert lists below follow.
  const [sc, t, u, rf, rc, dc, rv] = METRICS.map((k) => intArray(rows.map((r) => r[k])));
  if (res === "day") {
    const days = textArray(rows.map((r) => iso(r.bucket).slice(0, 10)));
    return tx`
      insert into rollup_day as r (store_id, category, day, sales_cents, transactions, units,
        refunds, refund_cents, discount_cents, revised)
      select unnest(${s}::text[]), unnest(${c}::text[]), unnest(${days}::date[]),
        unnest(${sc}::int8[]), unnest(${t}::int4[]), unnest(${u}::int4[]), unnest(${rf}::int4[]),
        unnest(${rc}::int8[]), unnest(${dc}::int8[]), unnest(${rv}::int4[])
      on conflict (store_id, category, day) do update set ${addCounters(tx)}
      returning store_id, category, day::text as day, sales_cents, transactions, units, refunds,
        refund_cents, discount_cents, revised`;
  }
  const table = res === "minute" ? "rollup_minute" : "rollup_hour";
  const b = intArray(rows.map((r) => r.bucket));
  return tx`
    insert into ${tx(table)} as r (store_id, category, bucket, sales_cents, transactions, units,
      refunds, refund_cents, discount_cents, revised)
    select s, c, timestamptz 'epoch' + ms * interval '1 millisecond', sc, t, u, rf, rc, dc, rv
    from (select unnest(${s}::text[]) s, unnest(${c}::text[]) c, unnest(${b}::int8[]) ms,
      unnest(${sc}::int8[]) sc, unnest(${t}::int4[]) t, unnest(${u}::int4[]) u,
      unnest(${rf}::int4[]) rf, unnest(${rc}::int8[]) rc, unnest(${dc}::int8[]) dc,
      unnest(${rv}::int4[]) rv) x
    on conflict (store_id, category, bucket) do update set ${addCounters(tx)}
    returning store_id, category, (extract(epoch from bucket) * 1000)::int8 as ms, sales_cents,
      transactions, units, refunds, refund_cents, discount_cents, revised`;
}

/**
 * Appends hour or day deltas of rollup rows to `rollup_pending` as one row (the
 * compactor folds them in, {@link foldPending}); returns the row's id.
 */
export function insertPending(tx: Tx, res: "hour" | "day", rows: RollupRow[]) {
  const [sc, t, u, rf, rc, dc, rv] = METRICS.map((k) => intArray(rows.map((r) => r[k])));
  return tx<{ id: number }[]>`
    insert into rollup_pending (resolution, store_ids, categories, buckets, sales_cents,
      transactions, units, refunds, refund_cents, discount_cents, revised)
    values (${res}, ${textArray(rows.map((r) => r.store_id))}::text[],
      ${textArray(rows.map((r) => r.category))}::text[],
      ${intArray(rows.map((r) => r.bucket))}::int8[], ${sc}::int8[], ${t}::int4[], ${u}::int4[],
      ${rf}::int4[], ${rc}::int8[], ${dc}::int8[], ${rv}::int4[])
    returning id`;
}

/**
 * Deletes every visible pending row of one resolution and adds their deltas, summed per
 * bucket, to `rollup_hour` or `rollup_day`, in one statement. Returns the buckets' new
 * absolute values (shaped like {@link upsertRollup}'s) and, on each row, `ids` (the pending
 * rows folded) and `oldest_ms` (when the oldest of them was written). Rows are locked in the
 * batches' key order: a big batch upserts the same rows itself (`COMPACT_BELOW` in apply.ts).
 */
export function foldPending(tx: Tx, res: "hour" | "day") {
  const day = res === "day";
  const target = day
    ? tx`insert into rollup_day as r (store_id, category, day, sales_cents, transactions,
        units, refunds, refund_cents, discount_cents, revised)
      select s, c, date '1970-01-01' + (ms / 86400000)::int4, sc, t, u, rf, rc, dc, rv from g
      order by s collate "C", c collate "C", ms
      on conflict (store_id, category, day) do update set ${addCounters(tx)}
      returning store_id, category, day::text as day, sales_cents, transactions, units,
        refunds, refund_cents, discount_cents, revised`
    : tx`insert into rollup_hour as r (store_id, category, bucket, sales_cents, transactions,
        units, refunds, refund_cents, discount_cents, revised)
      select s, c, timestamptz 'epoch' + ms * interval '1 millisecond', sc, t, u, rf, rc, dc, rv
      from g order by s collate "C", c collate "C", ms
      on conflict (store_id, category, bucket) do update set ${addCounters(tx)}
      returning store_id, category, (extract(epoch from bucket) * 1000)::int8 as ms,
        sales_cents, transactions, units, refunds, refund_cents, discount_cents, revised`;
  return tx<(Record<string, unknown> & { ids: number[]; oldest_ms: number })[]>`
    with d as (
      delete from rollup_pending where resolution = ${res}
      returning id, created_at, store_ids, categories, buckets, sales_cents, transactions, units,
        refunds,
        refund_cents, discount_cents, revised
    ), g as (
      select x.s, x.c, x.ms, sum(x.sc)::int8 sc, sum(x.t)::int4 t, sum(x.u)::int4 u,
        sum(x.rf)::int4 rf, sum(x.rc)::int8 rc, sum(x.dc)::int8 dc, sum(x.rv)::int4 rv
      from (select unnest(store_ids) s, unnest(categories) c, unnest(buckets) ms,
        unnest(sales_cents) sc, unnest(transactions) t, unnest(units) u, unnest(refunds) rf,
        unnest(refund_cents) rc, unnest(discount_cents) dc, unnest(revised) rv from d) x
      group by x.s, x.c, x.ms
    ), w as (${target})
    select w.*, (select array_agg(id) from d) as ids,
      (select (extract(epoch from min(created_at)) * 1000)::int8 from d) as oldest_ms
    from w`;
}

/** Current values of rollup rows (the buckets replayed receipts touch, to repair Redis). */
export function readRollup(tx: Tx, res: Resolution, rows: RollupRow[]) {
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

export function insertReceipts(tx: Tx, fresh: PreparedReceipt[]) {
  const ev = fresh.map((p) => p.event);
  const units = ev.map((e) => e.lines.reduce((a, l) => a + l.quantity, 0));
  const discounts = ev.map((e) => e.lines.reduce((a, l) => a + l.discount_cents, 0));
  const text = (f: (e: ReceiptEvent) => string | undefined) => textArray(ev.map(f));
  return tx`
    insert into receipts (store_id, transaction_id, type, register_id, cashier_id, customer_id,
      ts, local_date, currency, payment, total_cents, discount_cents, units, lines)
    select s, t, ty, reg, cas, cus, timestamptz 'epoch' + ms * interval '1 millisecond', d, cur,
      pay, tot, dis, un, li
    from (select unnest(${text((e) => e.store_id)}::text[]) s,
      unnest(${text((e) => e.transaction_id)}::text[]) t, unnest(${text((e) => e.type)}::text[]) ty,
      unnest(${text((e) => e.register_id)}::text[]) reg,
      unnest(${text((e) => e.cashier_id)}::text[]) cas,
      unnest(${text((e) => e.customer_id)}::text[]) cus,
      unnest(${intArray(ev.map((e) => e.ts))}::int8[]) ms,
      unnest(${textArray(fresh.map((p) => p.day))}::date[]) d,
      unnest(${text((e) => e.currency)}::text[]) cur, unnest(${text((e) => e.payment)}::text[]) pay,
      unnest(${intArray(ev.map((e) => e.total_cents))}::int8[]) tot,
      unnest(${intArray(discounts)}::int8[]) dis, unnest(${intArray(units)}::int4[]) un,
      unnest(${linesArray(ev)}::json[]) li) x`;
}

/** The idempotency-key insert (no `returning`); `onConflict: false` fails on one seen before. */
function receiptKeysInsert(tx: Tx, keys: ReceiptEvent[], onConflict = true) {
  return tx`
    insert into receipt_keys (store_id, transaction_id, ts)
    select s, t, timestamptz 'epoch' + ms * interval '1 millisecond'
    from (select unnest(${textArray(keys.map((e) => e.store_id))}::text[]) s,
      unnest(${textArray(keys.map((e) => e.transaction_id))}::text[]) t,
      unnest(${intArray(keys.map((e) => e.ts))}::int8[]) ms) x
    ${onConflict ? tx`on conflict do nothing` : tx``}`;
}

/** Records idempotency keys; returns the keys that were new. */
export function insertReceiptKeys(tx: Tx, keys: ReceiptEvent[]) {
  return tx<{ store_id: string; transaction_id: string }[]>`
    ${receiptKeysInsert(tx, keys)} returning store_id, transaction_id`;
}

/**
 * Records idempotency keys that are all expected to be new. A key recorded before fails the
 * statement (and so the transaction) with a unique violation: see {@link isKeySeenBefore}.
 * Without `on conflict` PostgreSQL checks each key once, as it inserts it, instead of looking
 * it up first and confirming the speculative insert afterwards.
 */
export function insertNewReceiptKeys(tx: Tx, keys: ReceiptEvent[]) {
  return receiptKeysInsert(tx, keys, false);
}

/** The inventory-event insert (no `returning`); `onConflict: false` fails on one seen before. */
function inventoryEventsInsert(tx: Tx, evs: InventoryEvent[], onConflict = true) {
  return tx`
    insert into inventory_events (store_id, event_id, sku, kind, quantity, ts)
    select unnest(${evs.map((e) => e.store_id)}::text[]),
      unnest(${evs.map((e) => e.event_id)}::text[]),
      unnest(${evs.map((e) => e.sku)}::text[]), unnest(${evs.map((e) => e.kind)}::text[]),
      unnest(${evs.map((e) => e.quantity)}::int4[]),
      unnest(${evs.map((e) => iso(e.ts))}::timestamptz[])
    ${onConflict ? tx`on conflict do nothing` : tx``}`;
}

/** Records inventory events once each; returns the ones that were new. */
export function insertInventoryEvents(tx: Tx, evs: InventoryEvent[]) {
  return tx<{ store_id: string; event_id: string }[]>`
    ${inventoryEventsInsert(tx, evs)} returning store_id, event_id`;
}

/** Records inventory events that are all expected to be new, as {@link insertNewReceiptKeys}. */
export function insertNewInventoryEvents(tx: Tx, evs: InventoryEvent[]) {
  return inventoryEventsInsert(tx, evs, false);
}

/**
 * Whether `e` is the unique violation of {@link insertNewReceiptKeys} or
 * {@link insertNewInventoryEvents}: an event in the batch was recorded before.
 */
export function isKeySeenBefore(e: unknown): boolean {
  const err = e as { code?: string; constraint_name?: string } | null;
  return err?.code === "23505" &&
    (err.constraint_name === "receipt_keys_pkey" ||
      err.constraint_name === "inventory_events_pkey");
}

/** Upserts customer profiles: newer non-null fields win, the earliest sign-up is kept. */
export function upsertCustomers(tx: Tx, merged: CustomerRow[]) {
  const signups = merged.map((c) => (c.signup === null ? null : iso(c.signup)));
  return tx`
          insert into customers as c (customer_id, store_id, email, phone, signed_up_at,
            updated_at)
          select unnest(${merged.map((c) => c.id)}::text[]),
            unnest(${merged.map((c) => c.store)}::text[]),
            unnest(${merged.map((c) => c.email)}::text[]),
            unnest(${merged.map((c) => c.phone)}::text[]),
            unnest(${signups}::timestamptz[]),
            unnest(${merged.map((c) => iso(c.updated))}::timestamptz[])
          on conflict (customer_id) do update set
            store_id = case when excluded.updated_at >= c.updated_at
              then coalesce(excluded.store_id, c.store_id) else coalesce(c.store_id, excluded.store_id) end,
            email = case when excluded.updated_at >= c.updated_at
              then coalesce(excluded.email, c.email) else coalesce(c.email, excluded.email) end,
            phone = case when excluded.updated_at >= c.updated_at
              then coalesce(excluded.phone, c.phone) else coalesce(c.phone, excluded.phone) end,
            signed_up_at = least(c.signed_up_at, excluded.signed_up_at),
            updated_at = greatest(c.updated_at, excluded.updated_at)`;
}

/** Adds net units and revenue per store × local day × SKU. */
export function upsertSkuDaily(tx: Tx, sku: SkuDay[]) {
  return tx`
          insert into sku_daily as d (store_id, day, sku, category, units, revenue_cents)
          select unnest(${textArray(sku.map((x) => x.store_id))}::text[]),
            unnest(${textArray(sku.map((x) => x.day))}::date[]),
            unnest(${textArray(sku.map((x) => x.sku))}::text[]),
            unnest(${textArray(sku.map((x) => x.category))}::text[]),
            unnest(${intArray(sku.map((x) => x.units))}::int4[]),
            unnest(${intArray(sku.map((x) => x.revenue_cents))}::int8[])
          on conflict (store_id, day, sku) do update set units = d.units + excluded.units,
            revenue_cents = d.revenue_cents + excluded.revenue_cents`;
}

/** The register-day columns as array literals, in the insert lists' order below. */
function registerArrays(rows: RegisterDay[]) {
  return [
    textArray(rows.map((x) => x.store_id)),
    textArray(rows.map((x) => x.day)),
    textArray(rows.map((x) => x.register_id)),
    intArray(rows.map((x) => x.transactions)),
    intArray(rows.map((x) => x.sales_cents)),
    intArray(rows.map((x) => x.refunds)),
    intArray(rows.map((x) => x.refund_cents)),
    intArray(rows.map((x) => x.last_ms)),
  ];
}

/**
 * Adds register days to `register_day` from `source`, a relation of columns s (store), d (day),
 * g (register), t, sc, rf, rc (sales, their cents, refunds, theirs) and ms (newest receipt, epoch
 * ms), locking rows in key order: counters added, the newest receipt kept. `ctes` go before the
 * insert (`with …`).
 */
function addRegisterDays(tx: Tx, source: ReturnType<Tx>, ctes = tx``) {
  return tx`
    ${ctes}
    insert into register_day as r (store_id, day, register_id, transactions, sales_cents,
      refunds, refund_cents, last_at)
    select s, d, g, t, sc, rf, rc, timestamptz 'epoch' + ms * interval '1 millisecond'
    from ${source}
    order by s collate "C", d, g collate "C"
    on conflict (store_id, day, register_id) do update set
      transactions = r.transactions + excluded.transactions,
      sales_cents = r.sales_cents + excluded.sales_cents, refunds = r.refunds + excluded.refunds,
      refund_cents = r.refund_cents + excluded.refund_cents,
      last_at = greatest(r.last_at, excluded.last_at)`;
}

/** Adds a big batch's register days to `register_day` (rows in key order). */
export function upsertRegisterDay(tx: Tx, rows: RegisterDay[]) {
  const [s, d, g, t, sc, rf, rc, last] = registerArrays(rows);
  return addRegisterDays(
    tx,
    tx`(select unnest(${s}::text[]) s, unnest(${d}::date[]) d, unnest(${g}::text[]) g,
      unnest(${t}::int4[]) t, unnest(${sc}::int8[]) sc, unnest(${rf}::int4[]) rf,
      unnest(${rc}::int8[]) rc, unnest(${last}::int8[]) ms) x`,
  );
}

/** Appends a small batch's register days to `register_pending` as one row, for the compactor. */
export function insertRegisterPending(tx: Tx, rows: RegisterDay[]) {
  const [s, d, g, t, sc, rf, rc, last] = registerArrays(rows);
  return tx`
    insert into register_pending (store_ids, days, register_ids, transactions, sales_cents,
      refunds, refund_cents, last_ms)
    values (${s}::text[], ${d}::date[], ${g}::text[], ${t}::int4[], ${sc}::int8[],
      ${rf}::int4[], ${rc}::int8[], ${last}::int8[])`;
}

/**
 * Deletes every visible `register_pending` row and adds their deltas, summed per register day,
 * to `register_day`, in one statement; rows are locked in key order, as a big batch's upsert
 * locks them.
 */
export function foldRegisterPending(tx: Tx) {
  return addRegisterDays(
    tx,
    tx`(
      select x.s, x.d, x.g, sum(x.t)::int4 t, sum(x.sc)::int8 sc, sum(x.rf)::int4 rf,
        sum(x.rc)::int8 rc, max(x.ms) ms
      from (
        select unnest(store_ids) s, unnest(days) d, unnest(register_ids) g,
          unnest(transactions) t, unnest(sales_cents) sc, unnest(refunds) rf,
          unnest(refund_cents) rc, unnest(last_ms) ms
        from pending
      ) x
      group by x.s, x.d, x.g
    ) g`,
    tx`with pending as (delete from register_pending returning *)`,
  );
}

/** Adds purchase stats per customer (first/last purchase of sales, orders, net revenue). */
export function upsertCustomerStats(tx: Tx, cust: CustomerDelta[]) {
  return tx`
          insert into customer_stats as c (customer_id, first_purchase, last_purchase, orders,
            revenue_cents, refunds)
          select id, epoch + coalesce(f, seen) * ms, epoch + coalesce(l, seen) * ms, o, r, rf
          from (select unnest(${textArray(cust.map((x) => x.customer_id))}::text[]) id,
            unnest(${intArray(cust.map((x) => x.first_purchase))}::int8[]) f,
            unnest(${intArray(cust.map((x) => x.last_purchase))}::int8[]) l,
            unnest(${intArray(cust.map((x) => x.seen))}::int8[]) seen,
            unnest(${intArray(cust.map((x) => x.orders))}::int4[]) o,
            unnest(${intArray(cust.map((x) => x.revenue_cents))}::int8[]) r,
            unnest(${intArray(cust.map((x) => x.refunds))}::int4[]) rf) u,
            (select timestamptz 'epoch' as epoch, interval '1 millisecond' as ms) as k
          on conflict (customer_id) do update set
            first_purchase = case when excluded.orders = 0 then c.first_purchase
              when c.orders = 0 then excluded.first_purchase
              else least(c.first_purchase, excluded.first_purchase) end,
            last_purchase = case when excluded.orders = 0 then c.last_purchase
              when c.orders = 0 then excluded.last_purchase
              else greatest(c.last_purchase, excluded.last_purchase) end,
            orders = c.orders + excluded.orders,
            revenue_cents = c.revenue_cents + excluded.revenue_cents,
            refunds = c.refunds + excluded.refunds`;
}

/** Creates the inventory rows that do not exist yet (level 0, never counted). */
export function ensureInventoryRows(tx: Tx, stockKeys: { store_id: string; sku: string }[]) {
  return tx`insert into inventory (store_id, sku)
    select unnest(${textArray(stockKeys.map((c) => c.store_id))}::text[]),
      unnest(${textArray(stockKeys.map((c) => c.sku))}::text[])
    on conflict (store_id, sku) do nothing`;
}

/**
 * The fast path for store × SKU pairs the batch only adds to or subtracts from (no count): one
 * upsert adds the net change where the row's newest count is older than the earliest change
 * (or there is none) — exactly when `applyChanges` would apply every change. Returns the pairs
 * it wrote; the rest (a count at or after some change) must take the exact path. `counted_at`
 * only carries the earliest change to `excluded`: a pair seen for the first time is inserted
 * with it and comes back with `inserted`, and the caller must clear it in the same
 * transaction ({@link clearCountedAt}; nobody sees the row before the commit). Rows are locked
 * in the callers' sorted order.
 */
export function addInventoryDeltas(tx: Tx, deltas: NetChange[]) {
  return tx<{ store_id: string; sku: string; inserted: boolean }[]>`
    insert into inventory as i (store_id, sku, on_hand, counted_at)
    select s, k, d, timestamptz 'epoch' + ms * interval '1 millisecond'
    from (select unnest(${textArray(deltas.map((c) => c.store_id))}::text[]) s,
      unnest(${textArray(deltas.map((c) => c.sku))}::text[]) k,
      unnest(${intArray(deltas.map((c) => c.delta))}::int4[]) d,
      unnest(${intArray(deltas.map((c) => c.first))}::int8[]) ms) x
    on conflict (store_id, sku) do update set on_hand = i.on_hand + excluded.on_hand,
      updated_at = now()
    where i.counted_at is null or i.counted_at < excluded.counted_at
    returning store_id, sku, (xmax = 0) as inserted`;
}

/** Rows {@link addInventoryDeltas} inserted: never counted. */
export function clearCountedAt(tx: Tx, keys: { store_id: string; sku: string }[]) {
  return tx`update inventory set counted_at = null
    where (store_id, sku) in (select * from unnest(
      ${textArray(keys.map((k) => k.store_id))}::text[], ${
    textArray(keys.map((k) => k.sku))
  }::text[]))`;
}

/**
 * Creates missing rows, then locks every touched row and returns its level. Locking with
 * SELECT … FOR UPDATE (sorted like the callers' keys: ids are ASCII, so "C" order is theirs)
 * leaves no dead row versions, unlike a no-op upsert.
 */
export async function lockInventory(tx: Tx, stockKeys: { store_id: string; sku: string }[]) {
  const stores = textArray(stockKeys.map((c) => c.store_id));
  const skus = textArray(stockKeys.map((c) => c.sku));
  const [, rows] = await Promise.all([
    ensureInventoryRows(tx, stockKeys),
    tx<{ store_id: string; sku: string; on_hand: number; counted_at: Date | null }[]>`
      select store_id, sku, on_hand, counted_at from inventory
      where (store_id, sku) in (select * from unnest(${stores}::text[], ${skus}::text[]))
      order by store_id collate "C", sku collate "C"
      for update`,
  ]);
  return rows;
}

/** Writes absolute inventory levels. */
export function setInventory(
  tx: Tx,
  levels: { store_id: string; sku: string; level: StockLevel }[],
) {
  return tx`
        update inventory as i set on_hand = u.on_hand,
          counted_at = timestamptz 'epoch' + u.ms * interval '1 millisecond', updated_at = now()
        from (select unnest(${textArray(levels.map((n) => n.store_id))}::text[]) store_id,
          unnest(${textArray(levels.map((n) => n.sku))}::text[]) sku,
          unnest(${intArray(levels.map((n) => n.level.on_hand))}::int4[]) on_hand,
          unnest(${intArray(levels.map((n) => n.level.counted_at))}::int8[]) ms) u
        where i.store_id = u.store_id and i.sku = u.sku`;
}
