/**
 * The live fan-out of one web instance: ONE reader per process follows `live:updates` and
 * `live:alerts` with XREAD BLOCK on a connection of its own, and hands each entry to every
 * connected browser in memory. Browsers never cost a Redis connection or a Redis read each.
 *
 * Event ids are cursors over both streams, `<updates id>,<alerts id>`, so a browser that
 * reconnects with Last-Event-ID gets what it missed from both (XRANGE from the cursor) before
 * joining the live feed, without gaps or repeats. The frame of a live entry is encoded once and
 * shared by all subscribers.
 */
import type { Runtime } from "../runtime.ts";
import type { Redis } from "../redis.ts";
import { errorMessage, log } from "../log.ts";

/** The kinds of live event: pipeline updates and alert events. */
export type LiveKind = "update" | "alert";

/** A subscriber's sink: receives encoded SSE frames. */
export type Sink = (frame: Uint8Array) => void;

/** Stream cursor pair. */
export interface Cursor {
  update: string;
  alert: string;
}

const enc = new TextEncoder();
/** Most entries per stream replayed to a reconnecting client. */
export const REPLAY_MAX = 1000;

/** Parses `a,b` (either part may be empty: "from now"); null when malformed. */
export function parseCursor(id: string | null): Partial<Cursor> | null {
  if (!id) return null;
  const [u, a] = id.split(",");
  const ok = (s: string | undefined) => s && /^\d+-\d+$/.test(s) ? s : undefined;
  const out = { update: ok(u), alert: ok(a) };
  return out.update || out.alert ? out : null;
}

/** Orders stream ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am - bm || as - bs;
}

/**
 * The data of an entry as sent to browsers. Pipeline updates keep only whole-store buckets
 * (category '*'): the live pages never use per-category buckets, and they are most of the bytes.
 */
export function entryData(kind: LiveKind, fields: string[]): string {
  const obj: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) obj[fields[i]] = fields[i + 1];
  if (kind === "update" && obj.u) {
    try {
      const u = JSON.parse(obj.u);
      if (Array.isArray(u.buckets)) {
        // deno-lint-ignore no-explicit-any
        u.buckets = u.buckets.filter((b: any) => b.category === "*");
      }
      return JSON.stringify(u);
    } catch {
      return obj.u;
    }
  }
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    try {
      JSON.parse(obj[keys[0]]);
      return obj[keys[0]];
    } catch { /* not JSON: send the fields */ }
  }
  return JSON.stringify(obj);
}

/** One SSE frame. */
export function frame(kind: LiveKind, cursor: Cursor, data: string): Uint8Array {
  return enc.encode(`id: ${cursor.update},${cursor.alert}\nevent: ${kind}\ndata: ${data}\n\n`);
}

/** The per-process hub. */
export interface LiveHub {
  /**
   * Adds a subscriber; replays what it missed after `lastEventId` first. Returns the
   * unsubscribe function.
   */
  subscribe(sink: Sink, lastEventId?: string | null): Promise<() => void>;
  /** Connected subscribers. */
  readonly size: number;
  /** Stops the reader (tests, shutdown). */
  close(): Promise<void>;
}

type Entry = [id: string, fields: string[]];

const hubs = new WeakMap<object, LiveHub>();

/** The hub of this runtime (one per process and Redis client). */
export function liveHub(rt: Pick<Runtime, "redis" | "keys">): LiveHub {
  let hub = hubs.get(rt.redis);
  if (!hub) hubs.set(rt.redis, hub = createLiveHub(rt));
  return hub;
}

/** Creates a hub (use {@link liveHub}; this is for tests that want their own). */
export function createLiveHub(
  rt: Pick<Runtime, "redis" | "keys">,
  opts: { blockMs?: number; count?: number } = {},
): LiveHub {
  const streams: Record<LiveKind, string> = {
    update: rt.keys.liveUpdates,
    alert: rt.keys.alertUpdates,
  };
  // Subscribers get the frame plus what it is, so a replaying client can drop repeats.
  const subs = new Set<(f: Uint8Array, kind: LiveKind, id: string) => void>();
  const cursor: Cursor = { update: "0-0", alert: "0-0" };
  let reader: Redis | null = null;
  let running: Promise<void> | null = null;
  let ready: Promise<void> | null = null;
  let stopping = false;

  const lastId = async (stream: string) => {
    const r = await rt.redis.xrevrange(stream, "+", "-", "COUNT", 1) as Entry[];
    return r[0]?.[0] ?? "0-0";
  };

  const deliver = (kind: LiveKind, entries: Entry[]) => {
    for (const [id, fields] of entries) {
      if (compareIds(id, cursor[kind]) <= 0) continue;
      cursor[kind] = id;
      const f = frame(kind, cursor, entryData(kind, fields));
      for (const s of subs) {
        try {
          s(f, kind, id);
        } catch { /* a closed client is removed by its own cancel */ }
      }
    }
  };

  const loop = async () => {
    reader = rt.redis.duplicate();
    // Runs until close(): one blocked XREAD per process is cheaper than restarting it.
    while (!stopping) {
      try {
        const res = await reader.xread(
          "COUNT",
          opts.count ?? 500,
          "BLOCK",
          opts.blockMs ?? 1000,
          "STREAMS",
          streams.update,
          streams.alert,
          cursor.update,
          cursor.alert,
        ) as [string, Entry[]][] | null;
        for (const [stream, entries] of res ?? []) {
          deliver(stream === streams.update ? "update" : "alert", entries);
        }
      } catch (e) {
        if (stopping) break;
        log.warn("live hub: reading live streams failed; retrying", { error: errorMessage(e) });
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    reader.disconnect();
    reader = null;
  };

  const start = () => {
    if (running) return ready!;
    stopping = false;
    ready = (async () => {
      // Start from the streams' current ends, so live ids are concrete cursors.
      const [u, a] = await Promise.all([lastId(streams.update), lastId(streams.alert)]);
      if (compareIds(u, cursor.update) > 0) cursor.update = u;
      if (compareIds(a, cursor.alert) > 0) cursor.alert = a;
    })();
    running = ready.then(loop).finally(() => {
      running = null;
      ready = null;
    });
    return ready;
  };

  /**
   * Sends what a client missed, both streams merged in id order (ids are times, so this is
   * the order they happened in). At most REPLAY_MAX entries per stream: a client gone longer
   * than that reloads its page's figures anyway.
   */
  const replay = async (sink: Sink, from: Partial<Cursor>, upTo: Cursor) => {
    const mine: Cursor = { update: from.update ?? upTo.update, alert: from.alert ?? upTo.alert };
    const read = async (kind: LiveKind): Promise<[LiveKind, string, string[]][]> => {
      if (compareIds(mine[kind], upTo[kind]) >= 0) return [];
      const entries = await rt.redis.xrange(
        streams[kind],
        `(${mine[kind]}`,
        upTo[kind],
        "COUNT",
        REPLAY_MAX,
      ) as Entry[];
      return entries.map(([id, fields]) => [kind, id, fields]);
    };
    const missed = [...await read("update"), ...await read("alert")]
      .sort((x, y) => compareIds(x[1], y[1]));
    for (const [kind, id, fields] of missed) {
      mine[kind] = id;
      sink(frame(kind, mine, entryData(kind, fields)));
    }
  };

  return {
    get size() {
      return subs.size;
    },
    async subscribe(sink, lastEventId) {
      const from = parseCursor(lastEventId ?? null);
      const live = (f: Uint8Array) => sink(f);
      if (!from) {
        subs.add(live);
        await start();
        return () => subs.delete(live);
      }
      // Hold live frames while replaying, then release those past the replay.
      const held: [Uint8Array, LiveKind, string][] = [];
      const holder = (f: Uint8Array, kind: LiveKind, id: string) => held.push([f, kind, id]);
      subs.add(holder);
      await start();
      const upTo = { ...cursor };
      await replay(sink, from, upTo);
      subs.delete(holder);
      subs.add(live);
      for (const [f, kind, id] of held) if (compareIds(id, upTo[kind]) > 0) sink(f);
      return () => subs.delete(live);
    },
    async close() {
      stopping = true;
      subs.clear();
      reader?.disconnect();
      await running?.catch(() => {});
    },
  };
}
