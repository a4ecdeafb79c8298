/** CSV writing (RFC 4180) for the dashboard's exports. */

/** A table to export: column names and rows of plain values. */
export interface Table {
  columns: string[];
  rows: (string | number | boolean | null | undefined)[][];
}

/** Quotes a field when it holds a comma, quote or line break; guards against formula injection. */
export function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return "";
  let s = String(v);
  // A cell starting with = + - @ runs as a formula in spreadsheets; numbers are safe.
  if (typeof v === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The table as CSV text with a header line and CRLF line ends. */
export function toCsv(t: Table): string {
  const lines = [t.columns.map(csvField).join(",")];
  for (const r of t.rows) lines.push(r.map(csvField).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** Minor units as a decimal string with `digits` places: 12345, 2 → "123.45". */
export function decimal(cents: number, digits = 2): string {
  if (digits === 0) return String(cents);
  const neg = cents < 0;
  const s = String(Math.abs(cents)).padStart(digits + 1, "0");
  return `${neg ? "-" : ""}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}
