/**
 * Shared pieces of the alerts JSON API: who is asking, reading a JSON body with useful errors,
 * and turning the alert modules' errors into HTTP answers.
 *
 * Identity until accounts exist: the `X-Tillstream-User` header, else a `user` field in the JSON
 * body, else `?user=`, else "manager". A user id seen for the first time gets a row in `users`
 * (role manager) so settings and subscriptions can hang off it.
 */
import type { Sql } from "../lib/db.ts";
import { HttpError } from "../lib/web/errors.ts";
import { AlertActionError } from "./actions.ts";
import { ProvisioningError } from "./provisioning.ts";
import type { User } from "./recipients.ts";
import { ValidationError } from "./rules.ts";

/** The default user when a request names none. */
export const DEFAULT_USER = "manager";
const USER_ID = /^[A-Za-z0-9_.@-]{1,64}$/;

/** Reads a JSON object body; an empty body is `{}`. */
export async function readJson(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (!text.trim()) return {};
  try {
    const v = JSON.parse(text);
    if (v && typeof v === "object" && !Array.isArray(v)) return v;
  } catch { /* reported below */ }
  throw new HttpError(400, 'the body must be a JSON object, e.g. {"note": "till replaced"}');
}

/** The caller's user id (see module doc). */
export function userId(req: Request, body?: Record<string, unknown>): string {
  const raw = req.headers.get("x-tillstream-user") ??
    (typeof body?.user === "string" ? body.user : null) ??
    new URL(req.url).searchParams.get("user") ?? DEFAULT_USER;
  if (!USER_ID.test(raw)) {
    throw new HttpError(
      400,
      `user "${
        raw.slice(0, 70)
      }" is not a valid user id: use 1-64 letters, digits, ".", "_", "-" or "@", e.g. X-Tillstream-User: ana`,
    );
  }
  return raw;
}

/** The caller's user row, created on first sight. */
export async function currentUser(sql: Sql, id: string): Promise<User> {
  await sql`insert into users (id, name) values (${id}, ${id}) on conflict (id) do nothing`;
  const [u] = await sql<
    User[]
  >`select id, name, email, role, store_ids from users where id = ${id}`;
  return u;
}

/** Stores the user may see: null for everyone but store managers. */
export const visibleStores = (u: User): string[] | null =>
  u.role === "store_manager" ? u.store_ids : null;

/** A positive integer path parameter, or a 404. */
export function idParam(raw: string | undefined, what = "alert"): number {
  if (!raw || !/^\d{1,15}$/.test(raw)) {
    throw new HttpError(404, `no ${what} "${raw}": ids are numbers, e.g. /api/v1/alerts/12`);
  }
  return Number(raw);
}

/** Maps the alert modules' errors to HTTP errors (400 with issues, 404, 409). */
export function toHttp(e: unknown): never {
  if (e instanceof ValidationError) {
    throw new HttpError(400, `invalid input: ${e.message}`);
  }
  if (e instanceof AlertActionError) throw new HttpError(e.status, e.message);
  if (e instanceof ProvisioningError) throw new HttpError(400, e.message);
  throw e;
}

/** Runs `f`, mapping known errors to HTTP errors. */
export async function api<T>(f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    toHttp(e);
  }
}
