/** Loads an alert the caller may see, or answers 404 (store managers see only their stores). */
import type { Runtime } from "../lib/runtime.ts";
import { HttpError } from "../lib/web/errors.ts";
import { getAlert } from "./actions.ts";
import { currentUser, idParam, userId } from "./http.ts";
import { maySee, type User } from "./recipients.ts";

/** The alert named by `rawId` and the caller, when the caller may see it. */
export async function visibleAlert(
  rt: Runtime,
  req: Request,
  rawId: string | undefined,
  body?: Record<string, unknown>,
): Promise<{ alert: NonNullable<Awaited<ReturnType<typeof getAlert>>>; user: User }> {
  const id = idParam(rawId);
  const user = await currentUser(rt.sql, userId(req, body));
  const alert = await getAlert(rt, id);
  if (!alert || !maySee(user, alert)) {
    throw new HttpError(404, `alert ${id} does not exist (or is not about your stores)`);
  }
  return { alert, user };
}
