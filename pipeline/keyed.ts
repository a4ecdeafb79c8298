/**
 * Two-level maps for the batch's per-line aggregates (SKU days, stock changes): keyed by an
 * outer id, then by SKU, so no string key is built per line, and read out in (outer, inner) key
 * order, the order rows are locked in.
 */

/** The inner map of `outer`, created empty on first use. */
export function innerMap<T>(maps: Map<string, Map<string, T>>, outer: string): Map<string, T> {
  let m = maps.get(outer);
  if (!m) maps.set(outer, m = new Map());
  return m;
}

/** Every value, in (outer, inner) key order. */
export function valuesInKeyOrder<T>(maps: Map<string, Map<string, T>>): T[] {
  const out: T[] = [];
  for (const outer of [...maps.keys()].sort()) {
    const m = maps.get(outer)!;
    for (const inner of [...m.keys()].sort()) out.push(m.get(inner)!);
  }
  return out;
}
