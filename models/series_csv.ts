/**
 * Reading and writing `timestamp,value` CSV for `models detect`. Timestamps may be ISO-8601 with
 * or without an offset (no offset = UTC), `YYYY-MM-DD HH:MM:SS`, a date, or epoch seconds or
 * milliseconds (values of 1e11 and above are milliseconds).
 */

/** One parsed row: the timestamp as written and as epoch ms, and the value. */
export interface CsvPoint {
  raw: string;
  t: number;
  value: number;
}

/** A CSV problem with the line number and how to fix it. */
export class CsvError extends Error {
  override name = "CsvError";
}

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Parses one timestamp to epoch ms, or returns null. */
export function parseTimestamp(text: string): number | null {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) {
    const n = Number(s);
    return Math.abs(n) >= 1e11 ? Math.round(n) : Math.round(n * 1000);
  }
  const m = ISO.exec(s);
  if (!m) return null;
  const [, y, mo, d, h = "0", mi = "0", sec = "0", frac = "", off] = m;
  const ms = Number((frac + "000").slice(0, 3));
  let t = Date.UTC(+y, +mo - 1, +d, +h, +mi, +sec, ms);
  const check = new Date(t);
  if (check.getUTCDate() !== +d || check.getUTCMonth() !== +mo - 1 || +h > 23 || +mi > 59) {
    return null;
  }
  if (off && off.toUpperCase() !== "Z") {
    const sign = off[0] === "-" ? -1 : 1;
    const digits = off.slice(1).replace(":", "");
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0")) * 60_000;
  }
  return t;
}

function cells(line: string): string[] {
  const out: string[] = [];
  let cur = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === "," || c === ";" || c === "\t") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out.map((x) => x.trim());
}

/**
 * Parses CSV text. A header row is optional; with one, the columns named timestamp/time/ts/date
 * and value are used, else the first two columns.
 */
export function parseSeriesCsv(text: string): CsvPoint[] {
  const lines = text.split(/\r?\n/);
  let ti = 0, vi = 1, start = 0;
  const first = cells(lines[0] ?? "");
  if (first.length && parseTimestamp(first[0]) === null && !/^-?\d/.test(first[1] ?? "")) {
    const names = first.map((n) => n.toLowerCase());
    const t = names.findIndex((n) => ["timestamp", "time", "ts", "date", "datetime"].includes(n));
    const v = names.findIndex((n) => n === "value");
    ti = t >= 0 ? t : 0;
    vi = v >= 0 ? v : ti === 0 ? 1 : 0;
    start = 1;
  }
  const out: CsvPoint[] = [];
  for (let i = start; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const row = cells(lines[i]);
    const t = parseTimestamp(row[ti] ?? "");
    if (t === null) {
      throw new CsvError(
        `line ${i + 1}: "${
          row[ti] ?? ""
        }" is not a timestamp; use ISO-8601 (2026-03-01T14:00:00+01:00), "2026-03-01 14:00:00" or epoch seconds/milliseconds`,
      );
    }
    const value = Number(row[vi]);
    if (row[vi] === undefined || row[vi] === "" || !Number.isFinite(value)) {
      throw new CsvError(
        `line ${i + 1}: value "${row[vi] ?? ""}" is not a number, e.g. 2026-03-01 14:00:00,42.5`,
      );
    }
    out.push({ raw: row[ti], t, value });
  }
  if (out.length < 2) throw new CsvError("the CSV has fewer than two data rows; nothing to score");
  return out;
}

/** Renders scored rows as `timestamp,value,score,is_anomaly` CSV. */
export function formatScoredCsv(
  rows: { raw: string; value: number; score: number; isAnomaly: boolean }[],
): string {
  const q = (s: string) => /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  return "timestamp,value,score,is_anomaly\n" +
    rows.map((r) => `${q(r.raw)},${r.value},${r.score.toFixed(4)},${r.isAnomaly}`).join("\n") +
    "\n";
}
