/**
 * Bookkeeping of CSV imports (`import_runs`): a row when an import starts, completed with its
 * summary or its error, so `deno task import --history` shows what each backfill did.
 */
import type { Runtime } from "../../lib/runtime.ts";
import type { ImportSummary } from "./importer.ts";

/** One recorded import. */
export interface ImportRun {
  id: number;
  file: string;
  mapping: string;
  started_at: Date;
  finished_at: Date | null;
  status: "running" | "done" | "failed";
  error: string | null;
  rows_read: number;
  receipts: number;
  duplicates: number;
  rejected_rows: number;
  sales_cents: number;
  refund_cents: number;
}

/** Records the start of an import; returns its id. */
export async function startRun(rt: Runtime, file: string, mapping: string): Promise<number> {
  const [row] = await rt.sql<{ id: number }[]>`
    insert into import_runs (file, mapping, started_at, status)
    values (${file}, ${mapping}, ${new Date(rt.clock.now())}, 'running') returning id`;
  return row.id;
}

/** Completes a run with its summary, or marks it failed with the error's message. */
export async function finishRun(
  rt: Runtime,
  id: number,
  outcome: { summary: ImportSummary } | { error: string },
): Promise<void> {
  const at = new Date(rt.clock.now());
  if ("error" in outcome) {
    await rt.sql`update import_runs set status = 'failed', error = ${outcome.error},
      finished_at = ${at} where id = ${id}`;
    return;
  }
  const s = outcome.summary;
  await rt.sql`update import_runs set status = 'done', finished_at = ${at},
    rows_read = ${s.rows}, receipts = ${s.receipts}, duplicates = ${s.duplicates},
    rejected_rows = ${s.rejectedRows}, accepted_rows = ${s.acceptedRows},
    sales_cents = ${s.salesCents}, refund_cents = ${s.refundCents},
    sales_units = ${s.salesUnits}, refund_units = ${s.refundUnits},
    stores_created = ${s.storesCreated}, rejects_file = ${s.rejectsFile}
    where id = ${id}`;
}

/** The latest imports, newest first. */
export async function listRuns(rt: Runtime, limit = 20): Promise<ImportRun[]> {
  return await rt.sql<ImportRun[]>`
    select id::int as id, file, mapping, started_at, finished_at, status, error, rows_read,
      receipts, duplicates, rejected_rows, sales_cents, refund_cents
    from import_runs order by id desc limit ${limit}`;
}
