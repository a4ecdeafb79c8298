/**
 * The notifier: sends queued deliveries, one queue per channel (a team channel, personal
 * e-mail, Web Push). Queues run concurrently and each attempt has a timeout, so a channel that
 * is down or hangs never delays the others. Every attempt is recorded; a failed one is retried
 * with exponential backoff (base × 2^(n-1), capped at 1 h) until max_attempts, then marked
 * failed. Claiming pushes next_attempt_at forward (a lease), so two schedulers never send the
 * same delivery at once and a crash mid-send retries after the lease.
 */
import { errorMessage, log } from "../lib/log.ts";
import type { Runtime } from "../lib/runtime.ts";
import { SENDERS } from "./channels/index.ts";
import { type Channel, type ChannelType, DEFAULT_RETRY, retryOf } from "./channels/schema.ts";
import { DeliveryError } from "./channels/types.ts";
import type { AlertMessage } from "./message.ts";
import { channelsById } from "./rule_store.ts";

const LEASE_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 3_600_000;

interface Claimed {
  id: number;
  queue: string;
  channel_type: ChannelType;
  channel_id: string | null;
  user_id: string | null;
  target: string;
  attempts: number;
  max_attempts: number;
  message: AlertMessage;
}

/** Outcome counts of one notifier pass. */
export interface DeliverySummary {
  delivered: number;
  retrying: number;
  failed: number;
}

/** Backoff before retry number `attempt` (1-based) given a base delay. */
export function backoffMs(attempt: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), MAX_BACKOFF_MS);
}

async function claim(rt: Runtime, now: number, limit: number): Promise<Claimed[]> {
  return await rt.sql<Claimed[]>`
    with due as (
      select id from alert_deliveries
      where status = 'queued' and next_attempt_at <= ${new Date(now)}
      order by id limit ${limit} for update skip locked
    )
    update alert_deliveries d
      set attempts = d.attempts + 1, next_attempt_at = ${new Date(now + LEASE_MS)}
    from due, alert_notifications n
    where d.id = due.id and n.id = d.notification_id
    returning d.id, d.queue, d.channel_type, d.channel_id, d.user_id, d.target, d.attempts,
      d.max_attempts, coalesce(d.payload, n.message) as message`;
}

async function attempt(
  rt: Runtime,
  d: Claimed,
  channel: Channel | undefined,
  now: () => number,
): Promise<"delivered" | "retrying" | "failed"> {
  const retry = channel ? retryOf(channel) : DEFAULT_RETRY;
  const started = Date.now();
  const startedAt = new Date(now());
  let ok = false, status: number | null = null, error: string | null = null, permanent = false;
  try {
    if (d.channel_id && !channel) throw new DeliveryError("channel was deleted", undefined, true);
    const res = await SENDERS[d.channel_type]({
      rt,
      delivery: d,
      channel,
      message: d.message,
      signal: AbortSignal.timeout(retry.timeout_ms),
    });
    ok = true;
    status = res.status ?? null;
  } catch (e) {
    error = (e as Error)?.name === "TimeoutError"
      ? `no answer within ${retry.timeout_ms} ms`
      : errorMessage(e);
    if (e instanceof DeliveryError) {
      status = e.status ?? null;
      permanent = e.permanent;
    }
  }
  const duration = Date.now() - started;
  const at = now();
  await rt.sql`insert into alert_delivery_attempts
      (delivery_id, attempt, started_at, duration_ms, ok, status_code, error)
    values (${d.id}, ${d.attempts}, ${startedAt}, ${duration}, ${ok}, ${status}, ${error})`;
  if (ok) {
    await rt.sql`update alert_deliveries set status = 'delivered', delivered_at = ${new Date(at)},
                 reason = null where id = ${d.id}`;
    return "delivered";
  }
  if (permanent || d.attempts >= d.max_attempts) {
    await rt.sql`update alert_deliveries set status = 'failed', reason = ${error}
                 where id = ${d.id}`;
    log.warn("alert delivery failed", { delivery: d.id, queue: d.queue, error });
    return "failed";
  }
  const next = new Date(at + backoffMs(d.attempts, retry.base_ms));
  await rt.sql`update alert_deliveries set next_attempt_at = ${next}, reason = ${error}
               where id = ${d.id}`;
  return "retrying";
}

/**
 * Sends every delivery due at `now` (default: the runtime clock), queues in parallel, each
 * queue in order. Resolves when all attempts of this pass are recorded.
 */
export async function deliverDue(
  rt: Runtime,
  now: number = rt.clock.now(),
  opts: { limit?: number } = {},
): Promise<DeliverySummary> {
  const claimed = await claim(rt, now, opts.limit ?? 500);
  const summary: DeliverySummary = { delivered: 0, retrying: 0, failed: 0 };
  if (claimed.length === 0) return summary;
  const channels = await channelsById(rt.sql, [
    ...new Set(claimed.flatMap((d) => d.channel_id ? [d.channel_id] : [])),
  ]);
  const queues = new Map<string, Claimed[]>();
  for (const d of claimed) queues.set(d.queue, [...(queues.get(d.queue) ?? []), d]);
  // The pass's own clock advances by real elapsed time so backoff counts from the attempt.
  const startReal = Date.now();
  const clock = () => now + (Date.now() - startReal);
  await Promise.all([...queues.values()].map(async (list) => {
    for (const d of list) {
      const channel = d.channel_id ? channels.get(d.channel_id) : undefined;
      summary[await attempt(rt, d, channel, clock)]++;
    }
  }));
  return summary;
}
