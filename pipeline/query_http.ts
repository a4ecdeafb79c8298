/**
 * The HTTP edge of the query API: JSON answers, and QueryError turned into `{error}` with its
 * status. Anything else propagates to the web layer, which answers 500 without internals.
 */
import { QueryError } from "./query_params.ts";

/** Runs `produce` and answers its value as JSON (no caching: figures change every second). */
export async function jsonAnswer(
  produce: () => Promise<{ body: unknown; headers?: Record<string, string> }>,
): Promise<Response> {
  try {
    const { body, headers } = await produce();
    return Response.json(body, { headers: { "cache-control": "no-store", ...headers } });
  } catch (e) {
    if (e instanceof QueryError) {
      return Response.json({ error: e.message }, {
        status: e.status,
        headers: { "cache-control": "no-store" },
      });
    }
    throw e;
  }
}
