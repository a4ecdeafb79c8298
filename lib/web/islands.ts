/**
 * Islands: a component from `islands/` used on a page is rendered on the server, wrapped in a
 * `<ts-island>` element, and hydrated in the browser with its props. Props must be JSON values
 * or `Date`; anything else (a function, JSX) is refused with an error naming the island and the
 * prop. Pages without islands ship no JavaScript.
 *
 * Detection works through Preact's `options.vnode` hook: any vnode whose type is a registered
 * island component is swapped for a wrapper while rendering on the server.
 */
import { type ComponentType, h, options, type VNode } from "preact";

/** A registered island. */
export interface Island {
  name: string;
  file: string;
  // deno-lint-ignore no-explicit-any
  component: ComponentType<any>;
}

/** One island occurrence on a rendered page. */
export interface IslandUse {
  name: string;
  props: unknown;
}

const byComponent = new Map<unknown, Island>();
/** Collector of the page being rendered (renders are synchronous, so one at a time). */
let current: IslandUse[] | null = null;
let depth = 0;

/** Raised when an island's props cannot be sent to the browser. */
export class IslandPropError extends Error {
  override name = "IslandPropError";
}

/** Registers the islands found in `dir` (default export of each `*.tsx`). */
export async function loadIslands(dir: string): Promise<Island[]> {
  const out: Island[] = [];
  let root: string;
  try {
    root = await Deno.realPath(dir);
  } catch {
    return out;
  }
  const names: string[] = [];
  for await (const e of Deno.readDir(root)) {
    if (e.isFile && /\.(tsx|jsx)$/.test(e.name) && !/_test\.tsx?$/.test(e.name)) {
      names.push(e.name);
    }
  }
  for (const fileName of names.sort()) {
    const file = `${root}/${fileName}`;
    const mod = await import(new URL(`file://${file}`).href);
    if (typeof mod.default !== "function") {
      throw new Error(`islands/${fileName}: export the island component as default`);
    }
    const name = fileName.replace(/\.(tsx|jsx)$/, "").replace(/[^A-Za-z0-9_]/g, "_");
    const island = { name, file, component: mod.default };
    byComponent.set(mod.default, island);
    out.push(island);
  }
  return out;
}

/** Serialises island props: JSON plus Date; refuses functions, JSX, symbols, bigints. */
export function serializeProps(island: string, props: Record<string, unknown>): string {
  const check = (value: unknown, path: string): unknown => {
    if (value === null || typeof value === "string" || typeof value === "boolean") return value;
    if (typeof value === "number") return Number.isFinite(value) ? value : null;
    if (value instanceof Date) return { $date: value.toISOString() };
    if (Array.isArray(value)) return value.map((v, i) => check(v, `${path}[${i}]`));
    if (typeof value === "object") {
      if ("__k" in (value as object) || "$$typeof" in (value as object)) {
        throw new IslandPropError(
          `island ${island}: prop "${path}" is JSX; pass data (JSON values or Date) and render it inside the island`,
        );
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as object)) {
        if (v === undefined) continue;
        out[k] = check(v, path ? `${path}.${k}` : k);
      }
      return out;
    }
    throw new IslandPropError(
      `island ${island}: prop "${path}" is a ${typeof value}; islands take only JSON values and Date (move the ${typeof value} into the island)`,
    );
  };
  const { children: _children, ...rest } = props;
  if (_children !== undefined && typeof _children !== "string") {
    check(_children, "children");
  }
  return JSON.stringify(check(_children === undefined ? rest : props, ""));
}

function IslandWrapper(
  // deno-lint-ignore no-explicit-any
  { island, props }: { island: Island; props: any },
) {
  const collector = current!;
  const index = collector.length;
  collector.push({ name: island.name, props: JSON.parse(serializeProps(island.name, props)) });
  // The custom element is the hydration root; CSS gives it `display: contents`.
  return h("ts-island", { "data-i": index }, h(insideOf(island), props));
}

// deno-lint-ignore no-explicit-any
const inside = new Map<Island, (props: any) => unknown>();
/**
 * The island's body runs with `depth > 0`, so an island used directly inside another island
 * renders as a plain component of its parent (hydrated with it) instead of being wrapped twice.
 */
function insideOf(island: Island) {
  let fn = inside.get(island);
  if (!fn) {
    // deno-lint-ignore no-explicit-any
    fn = (props: any) => {
      depth++;
      try {
        // deno-lint-ignore no-explicit-any
        return (island.component as any)(props);
      } finally {
        depth--;
      }
    };
    inside.set(island, fn);
  }
  return fn as ComponentType;
}

const previousVnode = options.vnode;
options.vnode = (vnode: VNode) => {
  const island = current && depth === 0 ? byComponent.get(vnode.type) : undefined;
  if (island) {
    const props = vnode.props;
    // deno-lint-ignore no-explicit-any
    (vnode as any).type = IslandWrapper;
    // deno-lint-ignore no-explicit-any
    (vnode as any).props = { island, props };
  }
  previousVnode?.(vnode);
};

/**
 * Renders with island collection on: `render` must render synchronously; returns its result
 * and the islands it used, in document order.
 */
export function collectIslands<T>(render: () => T): { result: T; islands: IslandUse[] } {
  const saved = current;
  current = [];
  try {
    const result = render();
    return { result, islands: current };
  } finally {
    current = saved;
  }
}
