/**
 * Register-level fraud patterns on closed 15-minute windows of `receipts`:
 * - refund_burst: more refunds at one register than the chain's refund rate makes plausible
 *   (Poisson tail);
 * - discount_abuse: more heavily discounted sales at one register than the chain's share of
 *   such sales makes plausible;
 * - outlier_receipt: receipts whose log total is far above the store's usual (robust z).
 * Baselines come from the previous 7 days and are cached for an hour per database.
 */
import type { Sql } from "../lib/db.ts";
import {
  type AnomalyThresholds,
  DEFAULT_THRESHOLDS,
  poissonTailLog10,
  type Severity,
  severityOf,
} from "./anomaly_score.ts";
import { closedWindows, groupByWindow, hourlyMemo, QUARTER_HOUR_MS } from "./anomaly_windows.ts";

/** Chain- and store-level baselines for the register patterns. */
export interface RegisterBaseline {
  refundRate: number;
  heavyDiscountShare: number;
  logTotal: Map<string, { center: number; scale: number }>;
}

/** A register-pattern flag ready for anomaly_flags. */
export interface RegisterFlag {
  kind: "refund_burst" | "discount_abuse" | "outlier_receipt";
  store: string;
  register: string;
  windowStart: number;
  windowEnd: number;
  severity: Severity;
  score: number;
  actual: number;
  expectedHigh: number;
  receipts: string[];
}

const memo = hourlyMemo<RegisterBaseline>();

/** Baselines over the 7 days before `until` (cached per database and hour). */
export async function registerBaseline(
  sql: Sql,
  until: number,
  th: AnomalyThresholds,
  cacheKey?: string,
): Promise<RegisterBaseline> {
  return await memo(cacheKey, until, () => loadBaseline(sql, until, th));
}

async function loadBaseline(
  sql: Sql,
  until: number,
  th: AnomalyThresholds,
): Promise<RegisterBaseline> {
  const from = new Date(until - 7 * 86_400_000), to = new Date(until);
  const [chain] = await sql`
    select count(*) filter (where type = 'refund')::float8 as refunds,
           count(distinct (store_id, register_id,
             floor(extract(epoch from ts) / ${QUARTER_HOUR_MS / 1000})))::float8 as reg_windows,
           count(*) filter (where type = 'sale')::float8 as sales,
           count(*) filter (where type = 'sale' and discount_cents >=
             ${th.heavyDiscount}::float8 * (total_cents + discount_cents) and discount_cents > 0)::float8
             as heavy
    from receipts where ts >= ${from} and ts < ${to}`;
  const stores = await sql<{ store_id: string; center: number; scale: number }[]>`
    with l as (select store_id, ln(greatest(total_cents, 1)) as x from receipts
               where type = 'sale' and ts >= ${from} and ts < ${to}),
         m as (select store_id, percentile_cont(0.5) within group (order by x) as med
               from l group by store_id)
    select l.store_id, m.med as center,
           1.4826 * percentile_cont(0.5) within group (order by abs(l.x - m.med)) as scale
    from l join m using (store_id) group by l.store_id, m.med`;
  return {
    refundRate: chain.reg_windows > 0 ? chain.refunds / chain.reg_windows : 0.05,
    heavyDiscountShare: chain.sales > 0 ? chain.heavy / chain.sales : 0.02,
    logTotal: new Map(stores.map((s) => [s.store_id, { center: s.center, scale: s.scale }])),
  };
}

/** Finds the patterns in receipts of [from, to) given baselines. */
export async function findRegisterPatterns(
  sql: Sql,
  from: number,
  to: number,
  base: RegisterBaseline,
  th: AnomalyThresholds = DEFAULT_THRESHOLDS,
): Promise<RegisterFlag[]> {
  const rows = await sql<{
    store_id: string;
    register_id: string;
    transaction_id: string;
    type: string;
    ts: Date;
    total_cents: number;
    discount_cents: number;
  }[]>`select store_id, register_id, transaction_id, type, ts, total_cents, discount_cents
       from receipts where ts >= ${new Date(from)} and ts < ${new Date(to)}`;
  const flags: RegisterFlag[] = [];
  const windows = groupByWindow(rows, (r) => r.register_id);
  for (const { store, key: register, windowStart, rows: g } of windows) {
    const windowEnd = windowStart + QUARTER_HOUR_MS;
    const flag = (
      kind: RegisterFlag["kind"],
      score: number,
      actual: number,
      exp: number,
      ids: string[],
    ) =>
      flags.push({
        kind,
        store,
        register,
        windowStart,
        windowEnd,
        severity: severityOf(score),
        score,
        actual,
        expectedHigh: exp,
        receipts: ids.slice(0, 50),
      });
    const refunds = g.filter((r) => r.type === "refund");
    const lp = poissonTailLog10(refunds.length, base.refundRate);
    if (refunds.length >= th.burstMin && lp >= th.burstLog10P) {
      flag(
        "refund_burst",
        lp,
        refunds.length,
        base.refundRate,
        refunds.map((r) => r.transaction_id),
      );
    }
    const sales = g.filter((r) => r.type === "sale");
    const heavy = sales.filter((r) =>
      r.discount_cents > 0 &&
      r.discount_cents >= th.heavyDiscount * (r.total_cents + r.discount_cents)
    );
    const expHeavy = base.heavyDiscountShare * sales.length;
    const ld = poissonTailLog10(heavy.length, expHeavy);
    if (heavy.length >= th.burstMin && ld >= th.burstLog10P) {
      flag("discount_abuse", ld, heavy.length, expHeavy, heavy.map((r) => r.transaction_id));
    }
    const lt = base.logTotal.get(store);
    if (lt && lt.scale > 0) {
      const outliers = sales
        .map((r) => ({ r, z: (Math.log(Math.max(1, r.total_cents)) - lt.center) / lt.scale }))
        .filter((x) => x.z >= th.receiptZ);
      if (outliers.length) {
        const z = Math.max(...outliers.map((x) => x.z));
        flag(
          "outlier_receipt",
          z,
          Math.max(...outliers.map((x) => x.r.total_cents)),
          Math.exp(lt.center + th.receiptZ * lt.scale),
          outliers.map((x) => x.r.transaction_id),
        );
      }
    }
  }
  return flags;
}

/** Inserts flags (once per detector, kind, register and window); returns the new ones. */
export async function writeRegisterFlags(sql: Sql, flags: RegisterFlag[]): Promise<RegisterFlag[]> {
  const out: RegisterFlag[] = [];
  for (const f of flags) {
    const evidence = {
      receipts: f.receipts.map((t) => [f.store, t]),
      explanation: f.kind === "refund_burst"
        ? `${f.actual} refunds in 15 minutes at register ${f.register} (chain rate ${
          f.expectedHigh.toFixed(2)
        } per register per 15 minutes)`
        : f.kind === "discount_abuse"
        ? `${f.actual} heavily discounted sales in 15 minutes at register ${f.register} (expected ${
          f.expectedHigh.toFixed(2)
        })`
        : `receipt total ${(f.actual / 100).toFixed(2)} far above this store's usual`,
    };
    const res = await sql`insert into anomaly_flags (detector, kind, store_id, register_id,
        window_start, window_end, severity, score, actual, expected_high, evidence)
      values ('register_patterns', ${f.kind}, ${f.store}, ${f.register}, ${new Date(f.windowStart)},
        ${new Date(f.windowEnd)}, ${f.severity}, ${f.score}, ${f.actual}, ${f.expectedHigh},
        ${sql.json(evidence)})
      on conflict do nothing returning id`;
    if (res.length) out.push(f);
  }
  return out;
}

/** Checks the last `lookback` closed 15-minute windows before `now - grace`; writes new flags. */
export async function checkRegisterPatterns(
  sql: Sql,
  now: number,
  opts: { lookback?: number; graceMs?: number; thresholds?: AnomalyThresholds; cacheKey?: string } =
    {},
): Promise<RegisterFlag[]> {
  const th = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const { from, to } = closedWindows(now, QUARTER_HOUR_MS, opts.lookback ?? 4, opts.graceMs);
  const base = await registerBaseline(sql, from, th, opts.cacheKey);
  return await writeRegisterFlags(sql, await findRegisterPatterns(sql, from, to, base, th));
}
