/**
 * Synthetic sales history with known seasonality, written straight into the rollups of a test
 * or bench database: stores x categories, opening hours in store-local time, a daily and weekly
 * profile, multiplicative noise. Seeded, so every run builds the same history.
 */
import type { Sql } from "../../lib/db.ts";
import { HOUR_MS, localParts } from "../calendar.ts";
import { rng } from "../tf.ts";

/** Shape of the synthetic history. */
export interface SyntheticSpec {
  stores: number;
  categories: number;
  days: number;
  /** First hour (UTC, hour-aligned), default 2026-01-05T00:00Z (a Monday). */
  start?: number;
  seed?: number;
  /** Relative noise (lognormal sigma), default 0.3. */
  noise?: number;
  timezones?: string[];
}

/** Expected hourly sales (cents) of store `s`, category `c` at a local hour and weekday. */
export function expectedSales(s: number, c: number, hour: number, weekday: number): number {
  if (hour < 8 || hour >= 21) return 0;
  const base = 4000 * (1 + (s % 5) * 0.4) * (1 + (c % 4) * 0.6);
  const daily = 0.6 + 0.8 * Math.exp(-(((hour - 12.5) / 2.5) ** 2)) +
    0.6 * Math.exp(-(((hour - 18) / 1.8) ** 2));
  const weekly = [0.85, 0.9, 0.95, 1.0, 1.2, 1.45, 0.75][weekday];
  return base * daily * weekly;
}

function gaussian(random: () => number): number {
  const u = Math.max(1e-12, random()), v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Writes `stores`, `rollup_hour` and `rollup_day` rows; returns the hour range written. */
export async function insertSyntheticHistory(
  sql: Sql,
  spec: SyntheticSpec,
): Promise<{ from: number; to: number; rows: number }> {
  const random = rng(spec.seed ?? 7);
  const start = spec.start ?? Date.parse("2026-01-05T00:00:00Z");
  const hours = spec.days * 24;
  const zones = spec.timezones ?? ["UTC", "Europe/Berlin", "America/New_York"];
  const sigma = spec.noise ?? 0.3;
  let rows = 0;
  for (let s = 0; s < spec.stores; s++) {
    const id = `S${String(s + 1).padStart(3, "0")}`;
    const tz = zones[s % zones.length];
    await sql`insert into stores (id, name, timezone) values (${id}, ${"Store " + id}, ${tz})
              on conflict (id) do nothing`;
    const parts = Array.from({ length: hours }, (_, i) => localParts(start + i * HOUR_MS, tz));
    const store: string[] = [], cat: string[] = [], bucket: string[] = [], cents: number[] = [];
    const tx: number[] = [];
    const day = new Map<string, number>();
    for (let c = 0; c < spec.categories; c++) {
      for (let i = 0; i < hours; i++) {
        const mu = expectedSales(s, c, parts[i].hour, parts[i].weekday);
        if (mu === 0) continue;
        const v = Math.round(mu * Math.exp(sigma * gaussian(random) - sigma * sigma / 2));
        store.push(id);
        cat.push(`C${c + 1}`);
        bucket.push(new Date(start + i * HOUR_MS).toISOString());
        cents.push(v);
        tx.push(Math.max(1, Math.round(v / 2500)));
        const k = `C${c + 1}|${parts[i].date}`;
        day.set(k, (day.get(k) ?? 0) + v);
      }
    }
    for (let i = 0; i < store.length; i += 20_000) {
      const j = i + 20_000;
      await sql`insert into rollup_hour (store_id, category, bucket, sales_cents, transactions)
        select * from unnest(${store.slice(i, j)}::text[], ${cat.slice(i, j)}::text[],
          ${bucket.slice(i, j)}::text[]::timestamptz[], ${cents.slice(i, j)}::bigint[], ${
        tx.slice(i, j)
      }::int[])`;
    }
    const dk = [...day.keys()];
    await sql`insert into rollup_day (store_id, category, day, sales_cents)
      select ${id}, * from unnest(${dk.map((k) => k.split("|")[0])}::text[],
        ${dk.map((k) => k.split("|")[1])}::date[], ${[...day.values()]}::bigint[])`;
    rows += store.length;
  }
  return { from: start, to: start + hours * HOUR_MS, rows };
}
