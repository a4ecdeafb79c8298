/**
 * Monthly partitions of the raw receipts (`receipts`, with their lines, range on event time).
 * Workers keep the current month, the previous one and the next two in place, and move any
 * month that accumulated in the default partition (a backfill of old history, say) into a
 * partition of its own. The SQL lives in migration 0070 (`ensure_receipt_month`), which moves
 * rows and attaches in one transaction, so the data stays correct while workers insert.
 */
import type { Sql } from "../lib/db.ts";

/** First day (YYYY-MM-01) of the UTC month `offset` months from `ts`. */
export function monthStart(ts: number, offset = 0): string {
  const d = new Date(ts);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1)).toISOString()
    .slice(0, 10);
}

/** Months that have rows in the default partition (they deserve a partition of their own). */
export async function monthsInDefault(sql: Sql): Promise<string[]> {
  const rows = await sql<{ m: string }[]>`
    select distinct to_char(ts at time zone 'UTC', 'YYYY-MM-01') as m from receipts_default
    order by 1`;
  return rows.map((r) => r.m);
}

/**
 * Ensures partitions for the months around `now` (`behind` before, `ahead` after) and, unless
 * `fromDefault` is false, for every month found in the default partition (moving its rows,
 * which can take a while after a large backfill). Returns the months it created.
 */
export async function ensurePartitions(
  sql: Sql,
  now: number,
  opts: { ahead?: number; behind?: number; fromDefault?: boolean } = {},
): Promise<string[]> {
  const months = new Set<string>();
  for (let o = -(opts.behind ?? 1); o <= (opts.ahead ?? 2); o++) months.add(monthStart(now, o));
  if (opts.fromDefault !== false) { for (const m of await monthsInDefault(sql)) months.add(m); }
  const created: string[] = [];
  for (const m of [...months].sort()) {
    const [row] = await sql<
      { created: boolean }[]
    >`select ensure_receipt_month(${m}::date) as created`;
    if (row.created) created.push(m);
  }
  return created;
}
