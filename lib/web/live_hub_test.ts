import assert from "node:assert/strict";
import { testRuntime, waitFor } from "../testing/services.ts";
import { compareIds, createLiveHub, entryData, parseCursor } from "./live_hub.ts";
import { createApp } from "./app.ts";
import { stopBundler } from "./bundle.ts";

const dec = new TextDecoder();

interface Got {
  id: string;
  event: string;
  data: string;
}

function parseFrames(text: string): Got[] {
  return text.split("\n\n").filter((b) => b.includes("data:")).map((block) => {
    const get = (k: string) =>
      block.split("\n").find((l) => l.startsWith(`${k}: `))?.slice(k.length + 2) ?? "";
    return { id: get("id"), event: get("event"), data: get("data") };
  });
}

Deno.test("live hub - cursors parse and order", () => {
  assert.deepEqual(parseCursor("5-1,7-0"), { update: "5-1", alert: "7-0" });
  assert.equal(parseCursor("junk"), null);
  assert.ok(compareIds("10-0", "9-5") > 0);
  assert.ok(compareIds("9-5", "9-10") < 0);
  const data = JSON.parse(entryData("update", [
    "u",
    JSON.stringify({ buckets: [{ category: "*" }, { category: "toys" }], receipts: [] }),
  ]));
  assert.deepEqual(data.buckets, [{ category: "*" }], "per-category buckets are dropped");
});

Deno.test("live hub - fans out both streams to every subscriber, and resumes after a cursor", async () => {
  await using rt = await testRuntime("live_hub");
  const hub = createLiveHub(rt, { blockMs: 100 });
  try {
    const a: Got[] = [];
    const b: Got[] = [];
    const offA = await hub.subscribe((f) => a.push(...parseFrames(dec.decode(f))));
    await hub.subscribe((f) => b.push(...parseFrames(dec.decode(f))));
    await rt.redis.xadd(rt.keys.liveUpdates, "*", "u", JSON.stringify({ n: 1, buckets: [] }));
    await rt.redis.xadd(rt.keys.alertUpdates, "*", "a", JSON.stringify({ id: 9 }));
    await waitFor(() => a.length === 2 && b.length === 2, { what: "two events each" });
    assert.deepEqual(a.map((g) => g.event).sort(), ["alert", "update"]);
    assert.deepEqual(JSON.parse(a.find((g) => g.event === "alert")!.data), { id: 9 });
    assert.deepEqual(a.map((g) => g.id), b.map((g) => g.id), "same cursors for everyone");

    // A client that saw only the first event resumes and gets the rest, once each.
    const firstId = a[0].id;
    offA();
    await rt.redis.xadd(rt.keys.liveUpdates, "*", "u", JSON.stringify({ n: 2, buckets: [] }));
    await waitFor(() => b.length === 3, { what: "third event" });
    const c: Got[] = [];
    await hub.subscribe((f) => c.push(...parseFrames(dec.decode(f))), firstId);
    await waitFor(() => c.length === 2, { what: "replayed events" });
    assert.deepEqual(c.map((g) => g.id), b.slice(1).map((g) => g.id));
    assert.equal(hub.size, 2);
  } finally {
    await hub.close();
  }
});

Deno.test("live hub - GET /api/v1/live streams SSE frames to a browser-like client", async () => {
  await using rt = await testRuntime("live_sse");
  const app = await createApp(rt);
  await stopBundler();
  const ac = new AbortController();
  const res = await app.request("/api/v1/live", { signal: ac.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /text\/event-stream/);
  const reader = res.body!.getReader();
  let text = "";
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
  })();
  await waitFor(() => text.includes(": connected"), { what: "connected comment" });
  // The hub is started by the subscription; publish until the reader has picked it up.
  await waitFor(async () => {
    await rt.redis.xadd(
      rt.keys.liveUpdates,
      "*",
      "u",
      JSON.stringify({ buckets: [], receipts: [] }),
    );
    return text.includes("event: update");
  }, { what: "update frame", every: 200 });
  assert.match(text, /id: \d+-\d+,\d+-\d+\nevent: update\ndata: \{/);
  await reader.cancel();
  ac.abort();
  await pump.catch(() => {});
  const { liveHub } = await import("./live_hub.ts");
  await liveHub(rt).close();
});

Deno.test("live hub - a client that stops reading is dropped instead of buffering without bound", async () => {
  await using rt = await testRuntime("live_slow");
  const app = await createApp(rt);
  await stopBundler();
  const { liveHub } = await import("./live_hub.ts");
  const { MAX_QUEUED } = await import("../../routes/api/v1/live.ts");
  const hub = liveHub(rt);
  const res = await app.request("/api/v1/live"); // never read
  await waitFor(() => hub.size === 1, { what: "subscribed" });
  const pipe = rt.redis.pipeline();
  for (let i = 0; i < MAX_QUEUED + 50; i++) {
    pipe.xadd(rt.keys.liveUpdates, "*", "u", JSON.stringify({ i, buckets: [] }));
  }
  await pipe.exec();
  await waitFor(() => hub.size === 0, { what: "slow client dropped", ms: 10_000 });
  await res.body?.cancel();
  await hub.close();
});
