/**
 * A loopback TCP proxy for outage tests: point a client at the proxy, then `down()` cuts every
 * connection and refuses new ones (the service looks dead to that client only), `up()` brings
 * it back on the same port. The shared services themselves are never stopped. It also counts
 * the clients' round trips.
 */

/** A controllable proxy to `target`. */
export interface TcpProxy extends AsyncDisposable {
  port: number;
  /**
   * Round trips so far, over all connections: the times a client sent data after the server
   * had last sent (or first), i.e. the client's turns in the conversation.
   */
  readonly roundTrips: number;
  down(): Promise<void>;
  up(): void;
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target`. */
export function tcpProxy(target: { hostname: string; port: number }): TcpProxy {
  let listener: Deno.Listener | null = null;
  let port = 0;
  const open = new Set<Deno.Conn>();
  let roundTrips = 0;

  /** Copies `from` to `to`; `turn` is this direction's side of the pair's conversation. */
  const pipe = async (from: Deno.Conn, to: Deno.Conn, turn: { last: string }, side: string) => {
    try {
      await from.readable.pipeThrough(
        new TransformStream({
          transform(chunk, out) {
            if (side === "client" && turn.last !== "client") roundTrips++;
            turn.last = side;
            out.enqueue(chunk);
          },
        }),
      ).pipeTo(to.writable);
    } catch { /* either side closed */ }
    for (const c of [from, to]) {
      try {
        c.close();
      } catch { /* already closed */ }
      open.delete(c);
    }
  };

  const accept = async (l: Deno.Listener) => {
    for await (const client of l) {
      try {
        const server = await Deno.connect(target);
        open.add(client).add(server);
        const turn = { last: "server" };
        pipe(client, server, turn, "client");
        pipe(server, client, turn, "server");
      } catch {
        client.close();
      }
    }
  };

  const up = () => {
    if (listener) return;
    listener = Deno.listen({ hostname: "127.0.0.1", port });
    port = (listener.addr as Deno.NetAddr).port;
    accept(listener).catch(() => {});
  };
  const down = async () => {
    listener?.close();
    listener = null;
    for (const c of open) {
      try {
        c.close();
      } catch { /* already closed */ }
    }
    open.clear();
    await new Promise((r) => setTimeout(r, 0));
  };

  up();
  return {
    get port() {
      return port;
    },
    get roundTrips() {
      return roundTrips;
    },
    down,
    up,
    async [Symbol.asyncDispose]() {
      await down();
    },
  };
}
