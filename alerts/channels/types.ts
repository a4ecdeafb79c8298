/** The contract every notification channel implements. */
import type { Runtime } from "../../lib/runtime.ts";
import type { AlertMessage } from "../message.ts";
import type { Channel } from "./schema.ts";

/** One queued delivery as a sender sees it. */
export interface Delivery {
  id: number;
  channel_type: string;
  channel_id: string | null;
  user_id: string | null;
  target: string;
  attempts: number;
}

/** Everything a sender needs for one attempt. */
export interface SendContext {
  rt: Runtime;
  delivery: Delivery;
  /** The team channel (absent for personal e-mail and Web Push). */
  channel?: Channel;
  message: AlertMessage;
  /** Aborts when the attempt's timeout passes. */
  signal: AbortSignal;
}

/** What a successful attempt reports. */
export interface SendResult {
  status?: number;
}

/** Sends one message; throws {@link DeliveryError} (or any error) on failure. */
export type Sender = (ctx: SendContext) => Promise<SendResult>;

/** A failed attempt. `permanent` stops retries (e.g. a push subscription that is gone). */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  constructor(message: string, public status?: number, public permanent = false) {
    super(message);
  }
}

/** POSTs JSON to `url`; a non-2xx answer is a DeliveryError carrying the status. */
export async function postJson(
  url: string,
  body: unknown,
  signal: AbortSignal,
  headers: Record<string, string> = {},
): Promise<SendResult> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
    signal,
  });
  const text = await res.text().catch(() => "");
  if (!res.ok) {
    throw new DeliveryError(
      `${url} answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ""}`,
      res.status,
      res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408,
    );
  }
  return { status: res.status };
}
