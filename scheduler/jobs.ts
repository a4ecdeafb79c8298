/** Built-in jobs (placeholder while models land). */
import type { Job } from "./job.ts";
/** Every built-in job. */
export const JOBS: Job[] = [];
