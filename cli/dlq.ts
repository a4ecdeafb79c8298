/**
 * `deno task dlq list|show|replay|purge`: inspect and recover events that failed after
 * acceptance.
 */
import { numberFlag, parseCli, runCli, table, UsageError, withRuntime } from "./args.ts";
import type { Runtime } from "../lib/runtime.ts";
import {
  countDeadLetters,
  getDeadLetter,
  listDeadLetters,
  purgeDeadLetters,
  replayAll,
  replayDeadLetter,
} from "../ingest/dlq.ts";

/** Usage text of the dlq CLI. */
export const USAGE = `usage:
  deno task dlq list [--limit N] [--after ID] [--json]
  deno task dlq show <id> [--json]
  deno task dlq replay <id> | --all  [--json]
  deno task dlq purge --before <ISO time, e.g. 2026-11-01T00:00:00Z> [--json]`;

const OPTIONS = {
  limit: { type: "string" },
  after: { type: "string" },
  all: { type: "boolean" },
  before: { type: "string" },
  json: { type: "boolean" },
} as const;

function parse(args: string[]) {
  const { values, positionals } = parseCli(args, OPTIONS);
  const [cmd, ...rest] = positionals;
  const limit = numberFlag("limit", values.limit, { integer: true, min: 1 });
  let before: number | undefined;
  if (cmd === "list") {
    if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  } else if (cmd === "show") {
    if (rest.length !== 1) throw new UsageError("dlq show needs exactly one id");
  } else if (cmd === "replay") {
    if (!!values.all === (rest.length === 1) || rest.length > 1) {
      throw new UsageError("dlq replay needs either one id or --all");
    }
  } else if (cmd === "purge") {
    if (!values.before) throw new UsageError("dlq purge needs --before <time>");
    before = Date.parse(values.before);
    if (Number.isNaN(before)) {
      throw new UsageError(
        `--before ${
          JSON.stringify(values.before)
        } is not a time; use ISO-8601, e.g. 2026-11-01T00:00:00Z`,
      );
    }
  } else throw new UsageError(cmd ? `unknown command "${cmd}"` : "missing command");
  return { cmd, values, rest, limit, before };
}

/** Runs one dlq command on `rt` and returns what to print. */
export async function dlqCommand(rt: Runtime, args: string[]): Promise<string> {
  const { cmd, values, rest, limit, before } = parse(args);
  const json = values.json;
  if (cmd === "list") {
    const items = await listDeadLetters(rt, { limit: limit ?? 50, after: values.after });
    if (json) return JSON.stringify(items, null, 2);
    const total = await countDeadLetters(rt);
    if (!total) return "the dead-letter queue is empty";
    const more = total > items.length
      ? `\n(${items.length} of ${total} shown; next page: --after ${items.at(-1)?.id})`
      : "";
    return table(items as unknown as Record<string, unknown>[], [
      "id",
      "at",
      "stream",
      "entry_id",
      "reason",
    ]) + more;
  }
  if (cmd === "show") {
    const d = await getDeadLetter(rt, rest[0]);
    if (!d) throw new Error(`no dead letter ${rest[0]}; see: deno task dlq list`);
    if (json) return JSON.stringify(d, null, 2);
    let payload = d.payload;
    try {
      payload = JSON.stringify(JSON.parse(d.payload), null, 2);
    } catch { /* not JSON: show the bytes as they are */ }
    return [
      `id:       ${d.id}`,
      `at:       ${d.at}`,
      `stream:   ${d.stream}`,
      `entry_id: ${d.entry_id}`,
      `reason:   ${d.reason}`,
      `payload:`,
      payload,
    ].join("\n");
  }
  if (cmd === "replay") {
    if (!values.all) {
      const newId = await replayDeadLetter(rt, rest[0]);
      return json
        ? JSON.stringify({ replayed: 1, id: rest[0], new_id: newId })
        : `replayed ${rest[0]} as ${newId}`;
    }
    const r = await replayAll(rt);
    if (json) return JSON.stringify(r);
    const lines = [`replayed ${r.replayed} dead letter(s)`];
    for (const f of r.failed) lines.push(`  not replayed ${f.id}: ${f.error}`);
    if (r.failed.length) {
      console.log(lines.join("\n"));
      throw new Error(`${r.failed.length} dead letter(s) could not be replayed (left in the DLQ)`);
    }
    return lines.join("\n");
  }
  const removed = await purgeDeadLetters(rt, before!);
  return json
    ? JSON.stringify({ purged: removed })
    : `purged ${removed} dead letter(s) recorded before ${new Date(before!).toISOString()}`;
}

if (import.meta.main) {
  await runCli("dlq", USAGE, withRuntime("dlq", dlqCommand, parse));
}
