/**
 * `deno task stores add|list`: manage the stores table that event validation and store-local
 * days rely on.
 */
import { numberFlag, parseCli, runCli, UsageError, withRuntime } from "./args.ts";
import type { Runtime } from "../lib/runtime.ts";
import { addStore, listStores, type OpeningHours } from "../lib/stores.ts";
import { table } from "./args.ts";

/** Usage text of the stores CLI. */
export const USAGE = `usage:
  deno task stores add --id ID --name NAME --timezone TZ [--city C] [--region R] [--country CC]
                       [--lat N] [--lon N] [--currency EUR] [--hours '{"mon":["08:00","21:00"],"sun":null}']
                       [--upsert] [--json]
  deno task stores list [--json]`;

const OPTIONS = {
  id: { type: "string" },
  name: { type: "string" },
  timezone: { type: "string" },
  city: { type: "string" },
  region: { type: "string" },
  country: { type: "string" },
  lat: { type: "string" },
  lon: { type: "string" },
  currency: { type: "string" },
  hours: { type: "string" },
  upsert: { type: "boolean" },
  json: { type: "boolean" },
} as const;

function parse(args: string[]) {
  const { values, positionals } = parseCli(args, OPTIONS);
  const [cmd, ...rest] = positionals;
  if (cmd !== "add" && cmd !== "list") {
    throw new UsageError(cmd ? `unknown command "${cmd}"` : "missing command");
  }
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (cmd === "add") {
    for (const f of ["id", "name", "timezone"] as const) {
      if (!values[f]) throw new UsageError(`stores add needs --${f}`);
    }
  }
  let hours: OpeningHours | undefined;
  if (values.hours !== undefined) {
    try {
      hours = JSON.parse(values.hours);
    } catch {
      throw new UsageError(
        `--hours must be JSON, e.g. '{"mon":["08:00","21:00"],"sun":null}'; got ${values.hours}`,
      );
    }
  }
  return {
    cmd,
    values,
    hours,
    lat: numberFlag("lat", values.lat),
    lon: numberFlag("lon", values.lon),
  };
}

/** Runs one stores command on `rt` and returns what to print. */
export async function storesCommand(rt: Runtime, args: string[]): Promise<string> {
  const { cmd, values: v, hours, lat, lon } = parse(args);
  if (cmd === "add") {
    const store = await addStore(rt.sql, {
      id: v.id!,
      name: v.name!,
      timezone: v.timezone!,
      city: v.city,
      region: v.region,
      country: v.country,
      lat,
      lon,
      currency: v.currency,
      opening_hours: hours,
    }, { upsert: v.upsert });
    return v.json
      ? JSON.stringify(store)
      : `store ${store.id} saved (${store.name}, ${store.timezone}, ${store.currency})`;
  }
  const stores = await listStores(rt.sql);
  if (v.json) return JSON.stringify(stores, null, 2);
  if (!stores.length) {
    return "no stores yet; add one with: deno task stores add --id paris-01 --name Paris --timezone Europe/Paris";
  }
  return table(stores as unknown as Record<string, unknown>[], [
    "id",
    "name",
    "city",
    "region",
    "country",
    "timezone",
    "currency",
  ]);
}

if (import.meta.main) {
  await runCli("stores", USAGE, withRuntime("stores", storesCommand, parse));
}
