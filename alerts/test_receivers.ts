/**
 * Test helpers: real receivers on loopback (an HTTP sink recording every request, with a
 * programmable answer) and store/rollup seeding for alert tests. Not used in production.
 */
import type { Sql } from "../lib/db.ts";

/** A request the sink received. */
export interface Received {
  path: string;
  headers: Headers;
  body: Uint8Array;
  json: () => unknown;
  at: number;
}

/** A local HTTP server on port 0 that records requests. */
export interface HttpSink extends AsyncDisposable {
  url: string;
  received: Received[];
  /** Answers for a path (default 200 "ok"); return a never-settling promise to hang. */
  respond: (path: string, req: Request) => Response | Promise<Response>;
  close(): Promise<void>;
}

/** Starts an HTTP sink on 127.0.0.1 with a random port. */
export function httpSink(): HttpSink {
  const received: Received[] = [];
  const hanging = new Set<() => void>();
  const sink: HttpSink = {
    url: "",
    received,
    respond: () => new Response("ok"),
    async close() {
      for (const release of hanging) release();
      await server.shutdown();
    },
    async [Symbol.asyncDispose]() {
      await sink.close();
    },
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = new URL(req.url).pathname;
    const body = new Uint8Array(await req.arrayBuffer());
    received.push({
      path,
      headers: req.headers,
      body,
      json: () => JSON.parse(new TextDecoder().decode(body)),
      at: Date.now(),
    });
    const answer = sink.respond(path, req);
    // A hanging answer is released at close so the server can shut down.
    return await Promise.race([
      answer,
      new Promise<Response>((r) => {
        const release = () => r(new Response("closed", { status: 503 }));
        hanging.add(release);
      }),
    ]);
  });
  sink.url = `http://127.0.0.1:${server.addr.port}`;
  return sink;
}

/** Inserts stores S01..Snn (always open unless `openingHours` is given). */
export async function seedStores(
  sql: Sql,
  n: number,
  opts: { region?: string; openingHours?: unknown; timezone?: string } = {},
): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `S${String(i + 1).padStart(2, "0")}`);
  for (const id of ids) {
    await sql`insert into stores (id, name, region, timezone, opening_hours)
              values (${id}, ${`Store ${id}`}, ${opts.region ?? "north"},
                      ${opts.timezone ?? "UTC"},
                      ${opts.openingHours ? sql.json(opts.openingHours as never) : null})`;
  }
  return ids;
}

/** Writes whole-store minute rollups: `cents` of sales in each minute of [from, to). */
export async function seedMinutes(
  sql: Sql,
  storeId: string,
  from: number,
  to: number,
  cents: number,
  extra: { refundCents?: number; transactions?: number } = {},
): Promise<void> {
  const rows = [];
  for (let t = from - (from % 60_000); t < to; t += 60_000) {
    rows.push({
      store_id: storeId,
      category: "*",
      bucket: new Date(t),
      sales_cents: cents,
      transactions: extra.transactions ?? 2,
      units: 2,
      refunds: extra.refundCents ? 1 : 0,
      refund_cents: extra.refundCents ?? 0,
    });
  }
  for (let i = 0; i < rows.length; i += 2000) {
    await sql`insert into rollup_minute ${sql(rows.slice(i, i + 2000))}
              on conflict (store_id, category, bucket) do update
              set sales_cents = excluded.sales_cents, transactions = excluded.transactions,
                  refunds = excluded.refunds, refund_cents = excluded.refund_cents`;
  }
}

/** Rebuilds rollup_hour from rollup_minute, as the pipeline keeps it (tests seed minutes only). */
export async function rollupHours(sql: Sql): Promise<void> {
  await sql`delete from rollup_hour`;
  await sql`insert into rollup_hour (store_id, category, bucket, sales_cents, transactions, units,
              refunds, refund_cents, discount_cents)
            select store_id, category, date_trunc('hour', bucket), sum(sales_cents),
              sum(transactions), sum(units), sum(refunds), sum(refund_cents), sum(discount_cents)
            from rollup_minute group by 1, 2, 3`;
}
