/**
 * Which store a row belongs to. A raw store value is a store id, or a name the mapping turns
 * into one (Online Retail's Country "United Kingdom" → store `uk`). Stores the database does
 * not know are created when the import is run with --create-stores, with the mapping's name
 * pattern, time zone and currency; otherwise their rows are refused with the fix.
 */
import type { NewStore, StoreInfo } from "../../lib/stores.ts";
import type { Mapping } from "./mapping.ts";
import type { StoreRef } from "./rows.ts";

const STORE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** A store id from any text: lower case, runs of other characters as "-" ("Hong Kong" → hong-kong). */
export function slugId(raw: string): string {
  const s = raw.trim().toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "").slice(0, 64);
  return s || "store";
}

/** Resolves raw store values and remembers the stores still to create. */
export class StoreResolver {
  #memo = new Map<string, StoreRef>();
  /** Stores the file mentions that the database lacks, by id. */
  readonly missing = new Map<string, NewStore>();

  constructor(
    readonly mapping: Mapping,
    readonly directory: Map<string, StoreInfo>,
    readonly opts: { storeTimezone?: string } = {},
  ) {}

  /** The store of a raw value (memoised). */
  resolve = (raw: string): StoreRef => {
    const hit = this.#memo.get(raw);
    if (hit) return hit;
    const spec = this.mapping.stores;
    const known = spec?.known?.[raw];
    const id = known?.id ?? (STORE_ID.test(raw) && !spec?.name ? raw : slugId(raw));
    const existing = this.directory.get(id);
    let ref: StoreRef;
    if (existing) ref = { id, timezone: existing.timezone, currency: existing.currency };
    else {
      const timezone = this.opts.storeTimezone ?? known?.timezone ?? spec?.default_timezone ??
        this.mapping.timezone ?? "UTC";
      const currency = spec?.currency ?? this.mapping.defaults?.currency ?? "USD";
      ref = { id, timezone, currency };
      this.missing.set(id, {
        id,
        name: known?.name ?? (spec?.name ?? "{value}").replaceAll("{value}", raw),
        timezone,
        currency,
        country: known?.country ?? null,
        city: known?.city ?? null,
      });
    }
    this.#memo.set(raw, ref);
    return ref;
  };
}
