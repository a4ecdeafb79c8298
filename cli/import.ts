/**
 * `deno task import <file.csv|file.csv.gz> --mapping <preset|mapping.json> [--create-stores]
 * [--store-timezone TZ] [--rejects FILE] [--json]`: the CSV backfill connector. Streams the
 * file through the producer to the workers (run in-process, so no worker process is needed)
 * and ends with a summary; rejected rows go to a rejects CSV with their reason.
 */
import { parseCli, runCli, table, UsageError, withRuntime } from "./args.ts";
import { listRuns } from "../ingest/csv/import_runs.ts";
import type { Runtime } from "../lib/runtime.ts";
import { formatMinor } from "../lib/events.ts";
import { defaultRejectsPath, importCsv, type ImportSummary } from "../ingest/csv/importer.ts";
import { loadMapping, PRESETS } from "../ingest/csv/mapping.ts";
import { progressBar } from "../ingest/csv/progress.ts";
import { isTimeZone } from "../lib/timezone.ts";

/** Usage text of the import CLI. */
export const USAGE = `usage:
  deno task import <file.csv|file.csv.gz> --mapping <${Object.keys(PRESETS).join("|")}|mapping.json>
                   [--create-stores] [--store-timezone Area/City] [--rejects FILE] [--json]
  deno task import --history [--json]      the latest imports and what each did
example:
  deno task import ../shared/data/online_retail_ii_2009_2010.csv.gz --mapping online-retail --create-stores`;

const OPTIONS = {
  mapping: { type: "string" },
  "create-stores": { type: "boolean" },
  "store-timezone": { type: "string" },
  rejects: { type: "string" },
  json: { type: "boolean" },
  quiet: { type: "boolean" },
  history: { type: "boolean" },
} as const;

function parse(args: string[]) {
  const { values, positionals } = parseCli(args, OPTIONS);
  if (values.history) {
    if (positionals.length) throw new UsageError("--history takes no file");
    return { file: "", values };
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length ? "give exactly one file" : "missing the file to import",
    );
  }
  if (!values.mapping) {
    throw new UsageError(
      `--mapping is required, e.g. --mapping online-retail or --mapping my-pos.json`,
    );
  }
  const tz = values["store-timezone"];
  if (tz !== undefined && !isTimeZone(tz)) {
    throw new UsageError(
      `--store-timezone ${JSON.stringify(tz)} is not an IANA zone; e.g. Europe/London`,
    );
  }
  return { file: positionals[0], values };
}

/**
 * A path as the user meant it: `deno task` runs in the project folder, so a relative path is
 * resolved against the folder the task was started from (INIT_CWD).
 */
export function userPath(p: string): string {
  const from = Deno.env.get("INIT_CWD");
  return from && !p.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(p) ? `${from}/${p}` : p;
}

const money = (cents: number) =>
  formatMinor(cents).replace(/^(-?\d+)/, (w) => Number(w).toLocaleString("en"));

/** Renders an import summary for people. */
export function formatSummary(s: ImportSummary, currency = ""): string {
  const n = (x: number) => x.toLocaleString("en");
  const amount = (c: number) => `${money(c)}${currency ? " " + currency : ""}`;
  const lines = [
    `rows read          ${n(s.rows)}`,
    `receipts accepted  ${n(s.receipts)}`,
    `duplicates         ${n(s.duplicates)} (already imported, not sent again)`,
    `rejected rows      ${n(s.rejectedRows)}${s.rejectsFile ? ` (see ${s.rejectsFile})` : ""}`,
    `accepted rows      ${n(s.acceptedRows)}: sales ${amount(s.salesCents)} in ${
      n(s.salesUnits)
    } units, refunds ${amount(s.refundCents)} in ${n(s.refundUnits)} units`,
  ];
  if (s.storesCreated.length) lines.push(`stores created     ${s.storesCreated.join(", ")}`);
  if (s.storesRefused.length) {
    lines.push(
      `stores refused     ${s.storesRefused.join(", ")}: unknown; rerun with --create-stores ` +
        `or add them with deno task stores add --id ID --name NAME --timezone Area/City`,
    );
  }
  lines.push(
    `time               ${s.seconds.toFixed(1)} s (${n(Math.round(s.rows / s.seconds))} rows/s)`,
  );
  return lines.join("\n");
}

/** Runs one import on `rt` and returns the summary text (or JSON with --json). */
export async function importCommand(rt: Runtime, args: string[]): Promise<string> {
  const { file, values: v } = parse(args);
  if (v.history) {
    const runs = await listRuns(rt);
    if (v.json) return JSON.stringify(runs);
    if (!runs.length) return "no imports yet; run one with: deno task import FILE --mapping PRESET";
    return table(
      runs.map((r) => ({
        ...r,
        sales: money(r.sales_cents),
        refunds: money(r.refund_cents),
        error: r.error ?? "",
      })),
      [
        "id",
        "started_at",
        "status",
        "mapping",
        "file",
        "rows_read",
        "receipts",
        "duplicates",
        "rejected_rows",
        "sales",
        "refunds",
        "error",
      ],
      40,
    );
  }
  const mapping = await loadMapping(
    /\.json$/i.test(v.mapping!) ? userPath(v.mapping!) : v.mapping!,
  );
  const bar = v.quiet ? null : progressBar();
  const summary = await importCsv(rt, userPath(file), {
    mapping,
    createStores: v["create-stores"],
    storeTimezone: v["store-timezone"],
    rejectsPath: userPath(v.rejects ?? defaultRejectsPath(file)),
    onProgress: bar ? (p) => bar.report(p) : undefined,
  });
  bar?.done();
  const currency = mapping.stores?.currency ?? mapping.defaults?.currency ?? "";
  return v.json ? JSON.stringify(summary) : formatSummary(summary, currency);
}

if (import.meta.main) {
  await runCli("import", USAGE, withRuntime("import", importCommand, parse));
}
