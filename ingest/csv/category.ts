/**
 * Category from a mapping's rule, for files that carry none: an exact SKU table first, then
 * keywords matched as whole words (or their plural with a trailing S) in another field,
 * usually the description, checked in the order the mapping lists them; else the default.
 * Deterministic: the same row always lands in the same category.
 */
import type { Mapping } from "./mapping.ts";

const words = (s: string) => ` ${s.toUpperCase().replace(/[^A-Z0-9]+/g, " ").trim()} `;

/** A category function built from a mapping's `category` rule. */
export type Categorize = (sku: string, text: string) => string;

/** Builds the category function of `rule`; results are memoised per (sku, text). */
export function categorizer(rule: NonNullable<Mapping["category"]>): Categorize {
  const skus = new Map(Object.entries(rule.skus ?? {}).map(([k, v]) => [k.toUpperCase(), v]));
  const keywords = (rule.keywords ?? []).map(([category, kws]) => ({
    category,
    needles: kws.flatMap((k) => {
      const w = words(k).trim();
      return [` ${w} `, ` ${w}S `];
    }),
  }));
  const memo = new Map<string, string>();
  return (sku, text) => {
    const key = `${sku}\u0000${text}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let found = skus.get(sku.toUpperCase());
    if (found === undefined) {
      const hay = words(text);
      for (const k of keywords) {
        if (k.needles.some((n) => hay.includes(n))) {
          found = k.category;
          break;
        }
      }
    }
    const out = found ?? rule.default;
    if (memo.size > 200_000) memo.clear();
    memo.set(key, out);
    return out;
  };
}
