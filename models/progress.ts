/** Training progress reports, rendered by the CLI as a bar and by the scheduler as log lines. */

/** One progress report: an epoch finished (or a named phase started). */
export interface Progress {
  model: string;
  phase: string;
  epoch?: number;
  epochs?: number;
  loss?: number;
  /** Milliseconds since training started. */
  elapsedMs: number;
}

/** Receives progress reports. */
export type ProgressFn = (p: Progress) => void;

/** A progress sink that drops everything. */
export const noProgress: ProgressFn = () => {};
