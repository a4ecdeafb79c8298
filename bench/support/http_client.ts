/**
 * Load generator for `bench ingest`, run in a Web Worker so the clients do not share the
 * server's JavaScript thread (a real connector runs elsewhere). Receives the target and
 * pre-serialised bodies, posts back how many events were accepted.
 */

/** What the worker is asked to do. */
export interface ClientJob {
  url: string;
  key: string;
  bodies: string[];
  seconds: number;
  clients: number;
}

/** What the worker reports. */
export interface ClientResult {
  accepted: number;
  requests: number;
  failed: number;
  firstError?: string;
  seconds: number;
}

async function runJob(job: ClientJob): Promise<ClientResult> {
  const started = performance.now();
  const deadline = started + job.seconds * 1000;
  const result: ClientResult = { accepted: 0, requests: 0, failed: 0, seconds: 0 };
  let n = 0;
  await Promise.all(Array.from({ length: job.clients }, async () => {
    while (performance.now() < deadline) {
      const res = await fetch(job.url, {
        method: "POST",
        body: job.bodies[n++ % job.bodies.length],
        headers: { "content-type": "application/json", authorization: `Bearer ${job.key}` },
      });
      const text = await res.text();
      result.requests++;
      if (res.status === 202) result.accepted += JSON.parse(text).accepted;
      else {
        result.failed++;
        result.firstError ??= `HTTP ${res.status}: ${text.slice(0, 300)}`;
      }
    }
  }));
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

// deno-lint-ignore no-explicit-any
const scope = self as any;
scope.onmessage = async (e: MessageEvent<ClientJob>) => {
  scope.postMessage(await runJob(e.data));
};
