/**
 * A loopback TCP proxy for outage tests: point a client at the proxy, then `down()` cuts every
 * connection and refuses new ones (the service looks dead to that client only), `up()` brings
 * it back on the same port. The shared services themselves are never stopped.
 */

/** A controllable proxy to `target`. */
export interface TcpProxy extends AsyncDisposable {
  port: number;
  down(): Promise<void>;
  up(): void;
}

/** Starts a proxy on 127.0.0.1 (a free port) forwarding to `target`. */
export function tcpProxy(target: { hostname: string; port: number }): TcpProxy {
  let listener: Deno.Listener | null = null;
  let port = 0;
  const open = new Set<Deno.Conn>();

  const pipe = async (from: Deno.Conn, to: Deno.Conn) => {
    try {
      await from.readable.pipeTo(to.writable);
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
        pipe(client, server);
        pipe(server, client);
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
    down,
    up,
    async [Symbol.asyncDispose]() {
      await down();
    },
  };
}
