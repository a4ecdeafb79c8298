/**
 * A progress bar on stderr for long imports: share of the file read, rows/s and the time left
 * estimated from bytes read against the file's size. On a terminal it redraws one line; when
 * stderr is a file or a pipe it prints a plain line every few seconds instead.
 */

/** What the importer reports as it goes. */
export interface ImportProgress {
  rows: number;
  bytesRead: number;
  size: number;
  receipts: number;
  rejected: number;
  phase: "reading" | "draining";
  /** Entries the workers still have to process (draining phase). */
  backlog?: number;
}

const enc = new TextEncoder();

function duration(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "--:--";
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, "0")}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
}

/** Renders {@link ImportProgress} reports; `done()` ends the line. */
export function progressBar(
  opts: { tty?: boolean; write?: (s: string) => void; now?: () => number } = {},
) {
  const tty = opts.tty ?? Deno.stderr.isTerminal();
  const write = opts.write ?? ((s: string) => Deno.stderr.writeSync(enc.encode(s)));
  const now = opts.now ?? (() => performance.now());
  const start = now();
  let last = -Infinity;
  let drew = false;
  return {
    report(p: ImportProgress, force = false) {
      const t = now();
      if (!force && t - last < (tty ? 200 : 5000)) return;
      last = t;
      const secs = (t - start) / 1000;
      const frac = p.size > 0 ? Math.min(1, p.bytesRead / p.size) : 0;
      const rate = secs > 0 ? p.rows / secs : 0;
      const eta = frac > 0 ? secs * (1 - frac) / frac : NaN;
      const width = 24;
      const bar = "#".repeat(Math.round(frac * width)).padEnd(width, ".");
      const text = p.phase === "reading"
        ? `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${p.rows.toLocaleString("en")} rows ` +
          `${Math.round(rate).toLocaleString("en")} rows/s ETA ${duration(eta)} ` +
          `receipts ${p.receipts.toLocaleString("en")} rejected ${p.rejected.toLocaleString("en")}`
        : `[${bar}] waiting for workers: ${(p.backlog ?? 0).toLocaleString("en")} entries left`;
      write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
      drew = true;
    },
    done() {
      if (tty && drew) write("\n");
    },
  };
}
