/**
 * Fault injection for the recovery tests: when TILLSTREAM_TEST_CRASH_AT names a point
 * ("before-commit", "after-commit", "before-ack"), the process kills itself with SIGKILL there,
 * exactly like `kill -9`, after TILLSTREAM_TEST_CRASH_AFTER batches have passed the point
 * (default 0: the first). Without the variable this is a no-op; production never sets it.
 */

/** Points in a batch's life where a test may crash the worker. */
export type CrashPoint = "before-commit" | "after-commit" | "before-ack";

const target = readEnv("TILLSTREAM_TEST_CRASH_AT");
let remaining = Number(readEnv("TILLSTREAM_TEST_CRASH_AFTER") ?? "0");

function readEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no env permission: never crash
  }
}

/** Kills the process with SIGKILL if the test asked for a crash at `point`. */
export function crashPoint(point: CrashPoint): void {
  if (target !== point) return;
  if (remaining-- > 0) return;
  Deno.kill(Deno.pid, "SIGKILL");
}
