/**
 * Training progress on stderr: a redrawn bar (epoch, loss, ETA) on a terminal, one line per
 * epoch otherwise (CI logs), nothing with --json quiet mode.
 */
import type { Progress, ProgressFn } from "../models/progress.ts";

/** Formats one progress report as a bar line (exported for tests). */
export function progressLine(p: Progress, width = 24): string {
  if (!p.epochs || !p.epoch) {
    return `${p.model}: ${p.phase}… (${(p.elapsedMs / 1000).toFixed(1)} s)`;
  }
  const done = Math.round((p.epoch / p.epochs) * width);
  const eta = (p.elapsedMs / p.epoch) * (p.epochs - p.epoch);
  return `${p.model} [${"#".repeat(done)}${
    ".".repeat(width - done)
  }] epoch ${p.epoch}/${p.epochs}` +
    `  loss ${p.loss?.toFixed(4) ?? "?"}  ETA ${(eta / 1000).toFixed(0)} s`;
}

/** A progress sink writing to stderr. */
export function stderrProgress(): ProgressFn & { end(): void } {
  const tty = Deno.stderr.isTerminal();
  const enc = new TextEncoder();
  let open = false;
  const fn = ((p: Progress) => {
    const line = progressLine(p);
    if (tty) {
      Deno.stderr.writeSync(enc.encode(`\r\x1b[2K${line}`));
      open = true;
    } else Deno.stderr.writeSync(enc.encode(line + "\n"));
  }) as ProgressFn & { end(): void };
  fn.end = () => {
    if (open) Deno.stderr.writeSync(enc.encode("\n"));
    open = false;
  };
  return fn;
}
