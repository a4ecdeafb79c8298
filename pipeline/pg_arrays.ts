/**
 * PostgreSQL array literals built in one pass, for the batch statements' `unnest` parameters.
 *
 * Why: postgres.js serialises a JS array parameter element by element (two regex replaces per
 * string, `new Date(x).toISOString()` per timestamp or date), which was about a third of the
 * stream worker's CPU. A parameter that is already a string passes through its array
 * serialiser untouched, so `${textArray(xs)}::text[]` costs one string concatenation.
 * Timestamps travel as epoch milliseconds in an int8[] and are converted in SQL with
 * `timestamptz 'epoch' + ms * interval '1 millisecond'` (exact integer arithmetic).
 */

const SPECIAL = /[\\"]/;
const SPECIAL_ALL = /[\\"]/g;

/** `{"a","b",NULL}`: every element quoted (so commas, braces and spaces are safe). */
export function textArray(xs: readonly (string | null | undefined)[]): string {
  if (xs.length === 0) return "{}";
  let plain = true;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === null || x === undefined || SPECIAL.test(x)) {
      plain = false;
      break;
    }
  }
  // One join allocates the literal once (a += loop builds a rope V8 must flatten: ~2× slower).
  if (plain) return '{"' + xs.join('","') + '"}';
  const parts = new Array<string>(xs.length);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    parts[i] = x === null || x === undefined
      ? "NULL"
      : '"' + (SPECIAL.test(x) ? x.replace(SPECIAL_ALL, "\\$&") : x) + '"';
  }
  return "{" + parts.join(",") + "}";
}

/**
 * `{1,2,NULL}` of integers (counts, cents, epoch ms). Numbers go as JavaScript prints them:
 * one that is not a valid integer of the column (`12.5`, `1e+21`, beyond int8) makes
 * PostgreSQL refuse the statement with a data error, which the worker treats as poison
 * (isolates and dead-letters that entry) exactly as before.
 */
export function intArray(xs: readonly (number | null | undefined)[]): string {
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] === null || xs[i] === undefined) {
      return "{" + xs.map((x) => (x === null || x === undefined ? "NULL" : x)).join(",") + "}";
    }
  }
  return "{" + xs.join(",") + "}";
}

/** A line of a receipt as the `lines` column stores it (migration 0070). */
interface LineLike {
  sku: string;
  category: string;
  quantity: number;
  unit_price_cents: number;
  discount_cents: number;
}

/**
 * `{"[[\"SKU-1\",\"Dairy\",2,349,0]]",…}`: each receipt's lines as a JSON text (one array per
 * line: sku, category, quantity, unit price, discount), quoted as an element of a `json[]`
 * literal. Built in one pass: a SKU or category is JSON-encoded and escaped for the array once
 * per call (a batch repeats a few hundred of them), the numbers are written as they are.
 */
export function linesArray(receipts: readonly { lines: readonly LineLike[] }[]): string {
  if (receipts.length === 0) return "{}";
  const quoted = new Map<string, string>();
  const q = (s: string) => {
    let out = quoted.get(s);
    if (out === undefined) {
      out = JSON.stringify(s).replace(SPECIAL_ALL, "\\$&");
      quoted.set(s, out);
    }
    return out;
  };
  const parts = new Array<string>(receipts.length);
  for (let i = 0; i < receipts.length; i++) {
    const lines = receipts[i].lines;
    let json = "";
    for (let j = 0; j < lines.length; j++) {
      const l = lines[j];
      json += (j === 0 ? '"[[' : ",[") + q(l.sku) + "," + q(l.category) + "," + l.quantity +
        "," + l.unit_price_cents + "," + l.discount_cents + "]";
    }
    parts[i] = lines.length ? json + ']"' : '"[]"';
  }
  return "{" + parts.join(",") + "}";
}
