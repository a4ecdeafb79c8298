/**
 * CSV backfill connector: file → mapped rows → receipts → contract validation → receipts the
 * database has not seen → producer `publish` (the same XADD path as every connector) → workers
 * → PostgreSQL. Streams the file, so memory stays flat whatever its size. Importing a file
 * twice changes nothing: receipts already in `receipt_keys` are counted as duplicates and not
 * sent, and the worker's ON CONFLICT catches any that race.
 */
import { type PosEvent, validateEvent } from "../../lib/events.ts";
import type { Runtime } from "../../lib/runtime.ts";
import { addStore, invalidateStoreDirectory, storeDirectory } from "../../lib/stores.ts";
import { backlog, publish, streamOf } from "../producer.ts";
import { ensureFamilyGroups, startWorkers, waitProcessed, WriteMarks } from "./drain.ts";
import { type GroupedReceipt, ReceiptGrouper } from "./grouper.ts";
import { bindMapping, type Mapping, MappingError } from "./mapping.ts";
import type { ImportProgress } from "./progress.ts";
import { RejectsWriter } from "./rejects.ts";
import { rowMapper } from "./rows.ts";
import { openCsv } from "./source.ts";
import { StoreResolver } from "./store_resolver.ts";
import { finishRun, startRun } from "./import_runs.ts";

/** Options of {@link importCsv}. */
export interface ImportOptions {
  mapping: Mapping;
  createStores?: boolean;
  /** Time zone of stores created by this import (overrides the mapping's). */
  storeTimezone?: string;
  /** Where rejected rows go; default `<file name>.rejects.csv` in the working directory. */
  rejectsPath?: string;
  /** Run workers in this process until everything sent is processed (default true). */
  runWorkers?: boolean;
  onProgress?: (p: ImportProgress) => void;
  /** Receipts validated and sent per round (default 2,000). */
  batch?: number;
  /** Pause sending while the worker group is this far behind (default 50,000 entries). */
  maxBacklog?: number;
}

/** What an import did. Money in minor units of the file's currency. */
export interface ImportSummary {
  rows: number;
  receipts: number;
  duplicates: number;
  rejectedRows: number;
  /** Accepted rows (new and duplicate receipts): the file's own sums. */
  acceptedRows: number;
  salesCents: number;
  refundCents: number;
  salesUnits: number;
  refundUnits: number;
  storesCreated: string[];
  storesRefused: string[];
  rejectsFile: string | null;
  seconds: number;
}

/** Default rejects path for `file`: its base name + `.rejects.csv`, in the working directory. */
export function defaultRejectsPath(file: string): string {
  const base = file.split(/[\\/]/).pop()!.replace(/\.gz$/i, "").replace(/\.csv$/i, "");
  return `${base}.rejects.csv`;
}

/** Imports one CSV file, recorded in `import_runs`; see the module comment. */
export async function importCsv(
  rt: Runtime,
  file: string,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const run = await startRun(rt, file, opts.mapping.name ?? "custom");
  try {
    const summary = await runImport(rt, file, opts);
    await finishRun(rt, run, { summary });
    return summary;
  } catch (e) {
    await finishRun(rt, run, { error: (e as Error).message ?? String(e) }).catch(() => {});
    throw e;
  }
}

async function runImport(
  rt: Runtime,
  file: string,
  opts: ImportOptions,
): Promise<ImportSummary> {
  const started = performance.now();
  const src = await openCsv(file, opts.mapping.delimiter);
  const it = src.records[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) throw new MappingError(`${file} is empty: expected a header row and data rows`);
  const bound = bindMapping(opts.mapping, first.value.record);
  const width = bound.header.length;

  invalidateStoreDirectory(rt);
  const directory = new Map(await storeDirectory(rt));
  const stores = new StoreResolver(opts.mapping, directory, { storeTimezone: opts.storeTimezone });
  const mapRow = rowMapper(bound, stores.resolve);
  const grouper = new ReceiptGrouper(opts.mapping.group_window_rows);
  const rejects = new RejectsWriter(opts.rejectsPath ?? defaultRejectsPath(file), bound.header);
  const marks = new WriteMarks();
  const s: ImportSummary = {
    rows: 0,
    receipts: 0,
    duplicates: 0,
    rejectedRows: 0,
    acceptedRows: 0,
    salesCents: 0,
    refundCents: 0,
    salesUnits: 0,
    refundUnits: 0,
    storesCreated: [],
    storesRefused: [],
    rejectsFile: null,
    seconds: 0,
  };
  const refused = new Set<string>();
  const batchSize = opts.batch ?? 2_000;
  const maxBacklog = opts.maxBacklog ?? 50_000;
  const progress = (phase: ImportProgress["phase"], backlogNow?: number) =>
    opts.onProgress?.({
      rows: s.rows,
      bytesRead: src.bytesRead(),
      size: src.size,
      receipts: s.receipts,
      rejected: rejects.count,
      phase,
      backlog: backlogNow,
    });

  const rejectReceipt = async (g: GroupedReceipt, reason: string) => {
    for (const r of g.rows) await rejects.add(r.row, r.record, reason);
  };

  async function ensureStore(id: string): Promise<boolean> {
    if (directory.has(id)) return true;
    const spec = stores.missing.get(id)!;
    if (!opts.createStores) {
      refused.add(id);
      return false;
    }
    await addStore(rt.sql, spec, { upsert: false }).catch((e) => {
      if (!/already exists/.test((e as Error).message)) throw e; // created concurrently
    });
    directory.set(id, { currency: spec.currency ?? "USD", timezone: spec.timezone });
    invalidateStoreDirectory(rt); // the in-process workers must see it before its receipts
    s.storesCreated.push(id);
    return true;
  }

  async function send(batch: GroupedReceipt[]) {
    const now = rt.clock.now();
    const valid: { g: GroupedReceipt; e: PosEvent & { type: "sale" | "refund" } }[] = [];
    for (const g of batch) {
      const storeId = g.event.store_id as string;
      if (!await ensureStore(storeId)) {
        await rejectReceipt(
          g,
          `unknown store "${storeId}": pass --create-stores, or add it first: ` +
            `deno task stores add --id ${storeId} --name NAME --timezone Area/City`,
        );
        continue;
      }
      const v = validateEvent(g.event, { now, stores: directory });
      if (!v.ok) await rejectReceipt(g, v.error);
      else valid.push({ g, e: v.event as PosEvent & { type: "sale" | "refund" } });
    }
    if (!valid.length) return;
    const seen = new Set(
      (await rt.sql<{ k: string }[]>`
        select k.store_id || '/' || k.transaction_id as k
        from receipt_keys k
        join unnest(${valid.map((v) => v.e.store_id)}::text[],
                    ${valid.map((v) => v.e.transaction_id)}::text[]) as u(store_id, transaction_id)
          using (store_id, transaction_id)`).map((r) => r.k),
    );
    const fresh: PosEvent[] = [];
    for (const { g, e } of valid) {
      s.acceptedRows += g.rows.length;
      if (e.type === "sale") {
        s.salesCents += g.cents;
        s.salesUnits += g.units;
      } else {
        s.refundCents += g.cents;
        s.refundUnits += g.units;
      }
      if (seen.has(`${e.store_id}/${e.transaction_id}`)) s.duplicates++;
      else fresh.push(e);
    }
    if (!fresh.length) return;
    while (await backlog(rt, "sales") > maxBacklog) {
      progress("reading");
      await new Promise((r) => setTimeout(r, 50));
    }
    const ids = await publish(rt, fresh);
    marks.note(fresh.map((e) => streamOf(rt, e)), ids);
    s.receipts += fresh.length;
  }

  await ensureFamilyGroups(rt, "sales");
  const workers = opts.runWorkers === false ? null : startWorkers(rt, ["sales"]);
  try {
    let pending: GroupedReceipt[] = [];
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const { record, line } = r.value;
      s.rows++;
      if (record.length !== width) {
        await rejects.add(
          line,
          record,
          `row has ${record.length} fields, the header has ${width}: missing or extra columns`,
        );
      } else {
        const m = mapRow(record);
        if (!m.ok) await rejects.add(line, record, m.reason);
        else {
          const closed = grouper.add(m.line, { row: line, record });
          for (const g of closed) pending.push(g);
        }
      }
      if (pending.length >= batchSize) {
        await send(pending);
        pending = [];
        progress("reading");
      }
    }
    for (const skip of src.skipped) {
      s.rows++;
      await rejects.add(skip.line, [skip.raw], skip.reason);
    }
    // Every invoice still open: as many as the grouping window holds, which can be large.
    for (const g of grouper.flush()) pending.push(g);
    await send(pending);
    progress("reading");
    if (workers) {
      await waitProcessed(rt, marks, {
        onWait: async () => progress("draining", await backlog(rt, "sales")),
      });
    }
  } finally {
    await workers?.stop();
    s.rejectsFile = await rejects.close();
  }
  s.rejectedRows = rejects.count;
  s.storesRefused = [...refused].sort();
  s.seconds = (performance.now() - started) / 1000;
  return s;
}
