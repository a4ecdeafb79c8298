/** A small structured logger: one JSON line per event on stderr, filtered by level. */

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
/** Log level names. */
export type Level = keyof typeof LEVELS;

let threshold: number = LEVELS[(Deno.env.get("TILLSTREAM_LOG_LEVEL") as Level) ?? "info"] ??
  LEVELS.info;

/** Changes the minimum level logged. */
export function setLogLevel(level: Level) {
  threshold = LEVELS[level];
}

function emit(level: Level, msg: string, fields?: Record<string, unknown>) {
  if (LEVELS[level] < threshold) return;
  const line = JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields });
  console.error(line);
}

/** The project's logger. */
export const log = {
  debug: (msg: string, f?: Record<string, unknown>) => emit("debug", msg, f),
  info: (msg: string, f?: Record<string, unknown>) => emit("info", msg, f),
  warn: (msg: string, f?: Record<string, unknown>) => emit("warn", msg, f),
  error: (msg: string, f?: Record<string, unknown>) => emit("error", msg, f),
};

/** The message of anything thrown, without a stack. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
