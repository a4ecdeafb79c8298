/** Placeholder until the web layer lands. */
import type { Runtime } from "../runtime.ts";
import type { RoleOptions } from "../roles.ts";
import { aborted } from "../roles.ts";

/** Runs the HTTP server until the signal aborts. */
export async function runWeb(_rt: Runtime, { signal }: RoleOptions): Promise<void> {
  await aborted(signal);
}
