/**
 * Column mappings: how a CSV file's columns become the event contract's fields, so a new file
 * layout needs a JSON file, not code. Presets live in `presets/*.json` and double as examples.
 *
 * A mapping names, for each contract field, the header column that holds it (or a list of
 * alternatives, the first present wins — that is how one preset reads both UCI layouts), plus
 * defaults, the zone of offset-less timestamps, the cancellation prefix, reject rules, a
 * category rule and how to create the stores the file mentions.
 */
import { z } from "zod";
import { isTimeZone } from "../../lib/timezone.ts";
import onlineRetail from "./presets/online-retail.json" with { type: "json" };
import tillstream from "./presets/tillstream.json" with { type: "json" };

/** Contract fields a column can feed. `store` is the raw store value (id or a name to map). */
export const FIELDS = [
  "transaction_id",
  "type",
  "store",
  "register_id",
  "cashier_id",
  "customer_id",
  "timestamp",
  "currency",
  "payment",
  "sku",
  "description",
  "category",
  "quantity",
  "unit_price",
  "discount",
] as const;
/** One mappable field. */
export type Field = typeof FIELDS[number];

/** Fields every mapping must locate in the header. */
export const REQUIRED: readonly Field[] = [
  "transaction_id",
  "store",
  "timestamp",
  "sku",
  "quantity",
  "unit_price",
];

const columnRef = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);
const zone = z.string().refine(isTimeZone, {
  error: (i) => `expected an IANA time zone such as Europe/London, got ${JSON.stringify(i.input)}`,
});
const storeInfo = z.object({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, {
    error: "store ids may contain letters, digits, _ . - (at most 64)",
  }),
  timezone: zone.optional(),
  country: z.string().optional(),
  city: z.string().optional(),
  name: z.string().optional(),
});

const mappingSchema = z.object({
  name: z.string().optional(),
  description: z.string().optional(),
  delimiter: z.string().length(1).optional(),
  columns: z.partialRecord(z.enum(FIELDS), columnRef),
  defaults: z.partialRecord(z.enum(FIELDS), z.string()).optional(),
  timezone: zone.optional(),
  date_format: z.enum(["auto", "iso", "mdy", "dmy"]).optional(),
  cancel_prefix: z.string().min(1).optional(),
  reject: z.array(z.object({
    field: z.enum(FIELDS),
    equals: z.array(z.string()),
    reason: z.string().min(1),
  })).optional(),
  category: z.object({
    from: z.enum(FIELDS).optional(),
    skus: z.record(z.string(), z.string().min(1)).optional(),
    keywords: z.array(z.tuple([z.string().min(1), z.array(z.string().min(1))])).optional(),
    default: z.string().min(1),
  }).optional(),
  stores: z.object({
    currency: z.string().regex(/^[A-Z]{3}$/).optional(),
    name: z.string().optional(),
    default_timezone: zone.optional(),
    known: z.record(z.string(), storeInfo).optional(),
  }).optional(),
  group_window_rows: z.number().int().min(1).max(10_000_000).optional(),
});

/** A column mapping as written in JSON (see presets/online-retail.json). */
export type Mapping = z.infer<typeof mappingSchema>;

/** Built-in presets by name. */
export const PRESETS: Record<string, unknown> = {
  "online-retail": onlineRetail,
  tillstream,
};

/** A mapping that cannot be used, with what to fix. */
export class MappingError extends Error {
  override name = "MappingError";
}

/** Checks a parsed JSON mapping; throws a MappingError naming each problem. */
export function parseMapping(raw: unknown, source = "mapping"): Mapping {
  const r = mappingSchema.safeParse(raw);
  if (!r.success) {
    const problems = r.error.issues.slice(0, 5).map((i) =>
      `${i.path.join(".") || "(root)"}: ${i.message}`
    );
    throw new MappingError(
      `${source} is not a valid mapping:\n  ${problems.join("\n  ")}\n` +
        `see ingest/csv/presets/tillstream.json for an example`,
    );
  }
  return r.data;
}

/** Loads a preset by name or a JSON mapping file by path. */
export async function loadMapping(nameOrPath: string): Promise<Mapping> {
  if (PRESETS[nameOrPath]) return parseMapping(PRESETS[nameOrPath], `preset ${nameOrPath}`);
  if (!/\.json$/i.test(nameOrPath)) {
    throw new MappingError(
      `unknown mapping "${nameOrPath}": use a preset (${
        Object.keys(PRESETS).join(", ")
      }) or a JSON file, e.g. --mapping online-retail or --mapping my-pos.json`,
    );
  }
  let text: string;
  try {
    text = await Deno.readTextFile(nameOrPath);
  } catch (e) {
    throw new MappingError(`cannot read mapping file ${nameOrPath}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MappingError(`mapping file ${nameOrPath} is not valid JSON: ${(e as Error).message}`);
  }
  return parseMapping(json, nameOrPath);
}

/** A mapping bound to one file's header: each field's column index (or -1 when absent). */
export interface BoundMapping {
  mapping: Mapping;
  header: string[];
  index: Record<Field, number>;
  /** Optional fields mapped to a column the header lacks (defaults apply). */
  missingOptional: string[];
}

/** Binds `mapping` to `header`; throws when a required column is missing. */
export function bindMapping(mapping: Mapping, header: string[]): BoundMapping {
  const clean = header.map((h) => h.trim());
  const index = {} as Record<Field, number>;
  const missing: string[] = [];
  const missingOptional: string[] = [];
  for (const field of FIELDS) {
    const ref = mapping.columns[field];
    const names = ref === undefined ? [] : Array.isArray(ref) ? ref : [ref];
    let at = -1;
    for (const n of names) {
      at = clean.indexOf(n.trim());
      if (at >= 0) break;
    }
    index[field] = at;
    if (at < 0 && names.length) {
      const what = `${field} (column ${names.map((n) => JSON.stringify(n)).join(" or ")})`;
      if (REQUIRED.includes(field) && mapping.defaults?.[field] === undefined) missing.push(what);
      else missingOptional.push(what);
    } else if (at < 0 && REQUIRED.includes(field) && mapping.defaults?.[field] === undefined) {
      missing.push(`${field} (not mapped)`);
    }
  }
  if (missing.length) {
    throw new MappingError(
      `the file's header lacks required columns: ${missing.join(", ")}.\n` +
        `  header: ${clean.join(", ")}\n` +
        `  fix the mapping's "columns", e.g. {"columns": {"sku": "Item Code"}}`,
    );
  }
  return { mapping, header: clean, index, missingOptional };
}
