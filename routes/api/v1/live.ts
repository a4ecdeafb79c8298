/**
 * GET /api/v1/live: the one Server-Sent Events stream of a browser tab. It carries pipeline
 * updates (`event: update`, the worker's compact batch summary) and alert events
 * (`event: alert`) from this instance's hub (lib/web/live_hub.ts). Reconnects resume with the
 * standard Last-Event-ID header (or `?last_event_id=`); a comment line every 15 s keeps
 * proxies from closing an idle stream.
 */
import type { Handlers } from "../../../lib/web/types.ts";
import { liveHub } from "../../../lib/web/live_hub.ts";
import { errorMessage, log } from "../../../lib/log.ts";

/** Interval of the keep-alive comment. */
export const HEARTBEAT_MS = 15_000;

/** Frames queued for one slow client before it is disconnected. */
export const MAX_QUEUED = 1000;

const enc = new TextEncoder();

export const handler: Handlers = {
  GET(req, ctx) {
    const hub = liveHub(ctx.state.rt);
    const last = req.headers.get("last-event-id") ?? ctx.url.searchParams.get("last_event_id");
    let unsubscribe: (() => void) | null = null;
    let timer: ReturnType<typeof setInterval> | undefined;
    let closed = false;
    const stop = () => {
      closed = true;
      clearInterval(timer);
      unsubscribe?.();
    };
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (f: Uint8Array) => {
          if (closed) return;
          try {
            // A client that stopped reading (a stalled connection) must not buffer without
            // bound: drop it; its EventSource reconnects and resumes from Last-Event-ID.
            if ((controller.desiredSize ?? 0) < -MAX_QUEUED) {
              stop();
              controller.close();
              return;
            }
            controller.enqueue(f);
          } catch {
            stop();
          }
        };
        // retry: how soon EventSource reconnects; the comment flushes headers at once.
        send(enc.encode("retry: 1000\n: connected\n\n"));
        timer = setInterval(() => send(enc.encode(": heartbeat\n\n")), HEARTBEAT_MS);
        try {
          const off = await hub.subscribe(send, last);
          if (closed) off();
          else unsubscribe = off;
        } catch (e) {
          log.warn("live stream: subscribe failed", { error: errorMessage(e) });
          const error = "live updates are unavailable (Redis does not answer); retrying";
          send(enc.encode(`event: failure\ndata: ${JSON.stringify({ error })}\n\n`));
          stop();
          controller.close();
        }
      },
      cancel() {
        stop();
      },
    });
    // Not req.signal: under Deno.serve it aborts as soon as the response starts. A closed
    // connection cancels the body stream instead, which unsubscribes.
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        "x-accel-buffering": "no",
      },
    });
  },
};
