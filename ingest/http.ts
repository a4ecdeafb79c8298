/**
 * The HTTP connector, `POST /api/v1/events`: authenticates the connector key, applies
 * backpressure and size limits, validates every event against the contract and publishes the
 * valid ones. Acceptance is partial: good events go through, each bad one is reported with its
 * index and reason.
 *
 *   202 {accepted, rejected: [{index, error, status}]}   at least one event accepted
 *   400 the same body, when nothing is valid (403 when every refusal is a store permission)
 *   401 missing or unknown key · 413 too large · 415 other content type · 503 backlog too long
 */
import { validateEvent } from "../lib/events.ts";
import type { PosEvent } from "../lib/events.ts";
import type { Runtime } from "../lib/runtime.ts";
import { mayWrite, verifyKey } from "../lib/connector_keys.ts";
import { storeDirectory } from "../lib/stores.ts";
import { errorMessage, log } from "../lib/log.ts";
import { BODY_LIMITS, bodyFormat, parseBody, readCapped, TooLarge } from "./body.ts";
import { checkBackpressure } from "./backlog.ts";
import { publish } from "./producer.ts";

/** One refused event. `status` is 403 for a store the key may not write, else 400. */
export interface Rejection {
  index: number;
  error: string;
  status: 400 | 403;
}

/** The body of a 202/400/403 answer. */
export interface IngestResult {
  accepted: number;
  rejected: Rejection[];
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/** 503 for an outage of a store we depend on; the cause is logged, not shown. */
function unavailable(what: string, cause: unknown): Response {
  log.error(`ingest: ${what}`, { error: errorMessage(cause) });
  return json(503, { error: `${what}; retry the whole request shortly` }, { "retry-after": "5" });
}

/**
 * Longest wait for Redis before answering 503. Entries still queued in the client may land
 * later; that is safe because the connector resends and workers deduplicate.
 */
const REDIS_BUDGET_MS = 10_000;

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const EXAMPLE_AUTH = "Authorization: Bearer tsk_...";

/** Handles one ingest request against the runtime's Redis and store directory. */
export async function handleEvents(req: Request, rt: Runtime): Promise<Response> {
  const auth = req.headers.get("authorization") ?? "";
  const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
  if (!m) {
    return json(401, {
      error:
        `missing connector key: send "${EXAMPLE_AUTH}" (create one with: deno task keys create --name NAME)`,
    }, { "www-authenticate": "Bearer" });
  }
  let key;
  try {
    key = await verifyKey(rt, m[1]);
  } catch (e) {
    return unavailable("connector keys cannot be checked (database unreachable)", e);
  }
  if (!key) {
    return json(401, {
      error: "unknown or revoked connector key; list keys with: deno task keys list",
    }, { "www-authenticate": 'Bearer error="invalid_token"' });
  }

  const format = bodyFormat(req.headers.get("content-type"));
  if (!format) {
    return json(415, {
      error: `unsupported Content-Type ${
        JSON.stringify(req.headers.get("content-type") ?? "")
      }; use application/json (an array of events) or application/x-ndjson (one event per line)`,
    });
  }

  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > BODY_LIMITS.maxBytes) {
    await req.body?.cancel().catch(() => {});
    return json(413, {
      error:
        `request body is ${declared} bytes; the limit is ${BODY_LIMITS.maxBytes} bytes (5 MB) and ${BODY_LIMITS.maxEvents} events per request`,
    });
  }

  let pressure;
  try {
    // Commands would queue until Redis is back; a connector is better told to retry now.
    if (rt.redis.status !== "ready") throw new Error(`Redis connection is ${rt.redis.status}`);
    pressure = await withDeadline(checkBackpressure(rt), REDIS_BUDGET_MS);
  } catch (e) {
    await req.body?.cancel().catch(() => {});
    return unavailable("the event store (Redis) is unavailable", e);
  }
  if (pressure.over) {
    await req.body?.cancel().catch(() => {});
    return json(503, {
      error:
        `ingest is paused: ${pressure.backlog} ${pressure.family} events are waiting for workers (limit ${pressure.limit}); retry after ${pressure.retryAfter} s`,
    }, { "retry-after": String(pressure.retryAfter) });
  }

  let parsed;
  try {
    parsed = parseBody(await readCapped(req.body), format);
  } catch (e) {
    if (e instanceof TooLarge) return json(413, { error: e.message });
    throw e;
  }
  if (!parsed.ok) return json(400, { error: parsed.error, accepted: 0, rejected: [] });

  let stores;
  try {
    stores = await storeDirectory(rt);
  } catch (e) {
    return unavailable("the store directory cannot be read (database unreachable)", e);
  }
  const ctx = { now: rt.clock.now(), stores };
  const good: PosEvent[] = [];
  const rejected: Rejection[] = [];
  for (const item of parsed.items) {
    if ("error" in item) {
      rejected.push({ index: item.index, error: item.error, status: 400 });
      continue;
    }
    const v = validateEvent(item.value, ctx);
    if (!v.ok) {
      rejected.push({ index: item.index, error: v.error, status: 400 });
    } else if (!mayWrite(key, v.event.store_id)) {
      rejected.push({
        index: item.index,
        error: `store_id: connector key ${key.id} may not write store ${v.event.store_id}; ` +
          `use a key created with --store ${v.event.store_id}`,
        status: 403,
      });
    } else good.push(v.event);
  }

  if (good.length === 0) {
    const status = rejected.length > 0 && rejected.every((r) => r.status === 403) ? 403 : 400;
    const error = rejected.length === 0
      ? "the request holds no events; send at least one"
      : "no event in the request is valid; see rejected for each event's reason";
    return json(status, { error, accepted: 0, rejected });
  }
  try {
    await withDeadline(publish(rt, good), REDIS_BUDGET_MS);
  } catch (e) {
    return unavailable("the event store (Redis) is unavailable", e);
  }
  return json(202, { accepted: good.length, rejected } satisfies IngestResult);
}
