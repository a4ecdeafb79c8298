/**
 * Price anomalies on closed 15-minute windows of `receipt_lines`: a SKU ringing up at a unit
 * price at least `ratio` times away from its usual (median over the previous 7 days), on two or
 * more lines of one store in the window — a price glitch sells fast. Kind `price_anomaly`.
 */
import type { Sql } from "../lib/db.ts";
import type { Severity } from "./anomaly_score.ts";
import { severityOf } from "./anomaly_score.ts";
import { closedWindows, groupByWindow, hourlyMemo, QUARTER_HOUR_MS } from "./anomaly_windows.ts";

/** A price anomaly ready for anomaly_flags. */
export interface PriceFlag {
  kind: "price_anomaly";
  store: string;
  sku: string;
  category: string;
  windowStart: number;
  windowEnd: number;
  severity: Severity;
  score: number;
  actual: number;
  expected: number;
  receipts: string[];
}

const memo = hourlyMemo<Map<string, number>>();

/** Median unit price per SKU over the 7 days before `until` (cached per database and hour). */
export async function usualPrices(
  sql: Sql,
  until: number,
  cacheKey?: string,
): Promise<Map<string, number>> {
  return await memo(cacheKey, until, async () => {
    const rows = await sql<{ sku: string; price: number }[]>`
      select sku, percentile_cont(0.5) within group (order by unit_price_cents)::float8 as price
      from receipt_lines where ts >= ${new Date(until - 7 * 86_400_000)} and ts < ${new Date(until)}
      group by sku`;
    return new Map(rows.map((r) => [r.sku, r.price]));
  });
}

/** Finds SKUs sold at far-off prices in [from, to). */
export async function findPriceAnomalies(
  sql: Sql,
  from: number,
  to: number,
  usual: Map<string, number>,
  ratio = 5,
): Promise<PriceFlag[]> {
  const rows = await sql<{
    store_id: string;
    transaction_id: string;
    sku: string;
    category: string;
    unit_price_cents: number;
    ts: Date;
  }[]>`select store_id, transaction_id, sku, category, unit_price_cents, ts from receipt_lines
       where ts >= ${new Date(from)} and ts < ${new Date(to)} and unit_price_cents > 0`;
  const farOff = rows.filter((r) => {
    const med = usual.get(r.sku);
    if (!med) return false;
    const off = r.unit_price_cents / med;
    return off >= ratio || off <= 1 / ratio;
  });
  const flags: PriceFlag[] = [];
  for (const { store, key: sku, windowStart, rows: lines } of groupByWindow(farOff, (r) => r.sku)) {
    if (lines.length < 2) continue;
    const price = lines.reduce((a, l) => a + l.unit_price_cents, 0) / lines.length;
    const expected = usual.get(sku)!;
    const score = 5 + 2 * Math.abs(Math.log10(price / expected));
    flags.push({
      kind: "price_anomaly",
      store,
      sku,
      category: lines[0].category,
      windowStart,
      windowEnd: windowStart + QUARTER_HOUR_MS,
      severity: severityOf(score),
      score,
      actual: price,
      expected,
      receipts: [...new Set(lines.map((l) => l.transaction_id))].slice(0, 50),
    });
  }
  return flags;
}

/** Inserts price flags (once per store, category and window); returns the new ones. */
export async function writePriceFlags(sql: Sql, flags: PriceFlag[]): Promise<PriceFlag[]> {
  const out: PriceFlag[] = [];
  for (const f of flags) {
    const evidence = {
      sku: f.sku,
      receipts: f.receipts.map((t) => [f.store, t]),
      explanation: `${f.sku} sold at ${(f.actual / 100).toFixed(2)} instead of about ${
        (f.expected / 100).toFixed(2)
      } on ${f.receipts.length} receipts`,
    };
    const res = await sql`insert into anomaly_flags (detector, kind, store_id, category,
        window_start, window_end, severity, score, actual, expected_low, expected_high, evidence)
      values ('price_check', 'price_anomaly', ${f.store}, ${f.category}, ${new Date(f.windowStart)},
        ${new Date(f.windowEnd)}, ${f.severity}, ${f.score}, ${f.actual}, ${f.expected},
        ${f.expected}, ${sql.json(evidence)})
      on conflict do nothing returning id`;
    if (res.length) out.push(f);
  }
  return out;
}

/** Checks the last `lookback` closed 15-minute windows; writes new flags. */
export async function checkPrices(
  sql: Sql,
  now: number,
  opts: { lookback?: number; graceMs?: number; cacheKey?: string } = {},
): Promise<PriceFlag[]> {
  const { from, to } = closedWindows(now, QUARTER_HOUR_MS, opts.lookback ?? 4, opts.graceMs);
  const usual = await usualPrices(sql, from, opts.cacheKey);
  return await writePriceFlags(sql, await findPriceAnomalies(sql, from, to, usual));
}
