/**
 * File-system routing with Fresh's conventions:
 *
 *   routes/index.tsx            /
 *   routes/about.tsx            /about
 *   routes/stores/[id].tsx      /stores/:id
 *   routes/docs/[...rest].tsx   /docs/*   (rest may be empty)
 *   routes/(shop)/cart.tsx      /cart     (a group folder adds no segment)
 *   _app.tsx (root only), _layout.tsx and _middleware.ts (per folder, inherited downwards),
 *   _404.tsx and _error.tsx (root only).
 *
 * Matching prefers static segments over `[param]` over `[...rest]`, segment by segment.
 */
import type { ComponentType } from "preact";
import type { Handler, Handlers, LayoutProps, Middleware, PageProps } from "./types.ts";

/** What a route module may export. */
export interface RouteModule {
  handler?: Handler | Handlers;
  // deno-lint-ignore no-explicit-any
  default?: ComponentType<PageProps<any>>;
}

/** A route ready to match. */
export interface Route {
  /** Pattern for people, e.g. `/stores/:id`. */
  pattern: string;
  file: string;
  module: RouteModule;
  /** Outermost first. */
  layouts: ComponentType<LayoutProps>[];
  /** Outermost first. */
  middlewares: Middleware[];
  match(pathname: string): Record<string, string> | null;
  /** Sort key: lower sorts first. */
  rank: number[];
}

/** Every route plus the special files. */
export interface RouteTable {
  routes: Route[];
  app?: ComponentType<LayoutProps>;
  notFound?: RouteModule;
  error?: RouteModule;
  rootMiddlewares: Middleware[];
}

const ROUTE_FILE = /\.(tsx|ts|jsx|js)$/;

interface Folder {
  layouts: ComponentType<LayoutProps>[];
  middlewares: Middleware[];
}

/** Scans `dir` and imports every route module. */
export async function loadRoutes(dir: string): Promise<RouteTable> {
  const table: RouteTable = { routes: [], rootMiddlewares: [] };
  const root = await Deno.realPath(dir);
  await walk(root, [], { layouts: [], middlewares: [] }, table, true);
  table.routes.sort((a, b) => compareRank(a.rank, b.rank));
  return table;
}

async function importModule(path: string): Promise<Record<string, unknown>> {
  return await import(new URL(`file://${path}`).href);
}

async function walk(
  dir: string,
  segments: string[],
  parent: Folder,
  table: RouteTable,
  isRoot: boolean,
) {
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const folder: Folder = { layouts: [...parent.layouts], middlewares: [...parent.middlewares] };

  const special = (name: string) =>
    entries.find((e) => e.isFile && e.name.replace(ROUTE_FILE, "") === name);
  const mw = special("_middleware");
  if (mw) {
    const mod = await importModule(`${dir}/${mw.name}`);
    const h = mod.handler ?? mod.default;
    const list = (Array.isArray(h) ? h : [h]) as Middleware[];
    if (!list.every((f) => typeof f === "function")) {
      throw new Error(
        `${dir}/${mw.name}: export a middleware function (or an array of them) as "handler"`,
      );
    }
    folder.middlewares.push(...list);
    if (isRoot) table.rootMiddlewares = [...list];
  }
  const layout = special("_layout");
  if (layout) {
    const mod = await importModule(`${dir}/${layout.name}`);
    if (typeof mod.default !== "function") {
      throw new Error(`${dir}/${layout.name}: export the layout component as default`);
    }
    folder.layouts.push(mod.default as ComponentType<LayoutProps>);
  }
  if (isRoot) {
    const app = special("_app");
    if (app) table.app = (await importModule(`${dir}/${app.name}`)).default as typeof table.app;
    const nf = special("_404");
    if (nf) table.notFound = await importModule(`${dir}/${nf.name}`) as RouteModule;
    const err = special("_error");
    if (err) table.error = await importModule(`${dir}/${err.name}`) as RouteModule;
  }

  for (const e of entries) {
    if (e.isDirectory) {
      const group = /^\(.+\)$/.test(e.name);
      await walk(
        `${dir}/${e.name}`,
        group ? segments : [...segments, e.name],
        folder,
        table,
        false,
      );
      continue;
    }
    if (!e.isFile || !ROUTE_FILE.test(e.name) || e.name.startsWith("_")) continue;
    if (/_test\.(tsx?|jsx?)$/.test(e.name)) continue;
    const base = e.name.replace(ROUTE_FILE, "");
    const segs = base === "index" ? segments : [...segments, base];
    const module = await importModule(`${dir}/${e.name}`) as RouteModule;
    if (!module.handler && !module.default) {
      throw new Error(
        `${dir}/${e.name}: a route module must export "handler" and/or a default page component`,
      );
    }
    table.routes.push(compile(segs, `${dir}/${e.name}`, module, folder));
  }
}

function compile(segs: string[], file: string, module: RouteModule, folder: Folder): Route {
  const names: string[] = [];
  const rank: number[] = [];
  let source = "";
  let pattern = "";
  for (const seg of segs) {
    const rest = /^\[\.\.\.(\w+)\]$/.exec(seg);
    const param = /^\[(\w+)\]$/.exec(seg);
    if (rest) {
      names.push(rest[1]);
      source += "(?:/(.*))?";
      pattern += `/:${rest[1]}*`;
      rank.push(2);
    } else if (param) {
      names.push(param[1]);
      source += "/([^/]+)";
      pattern += `/:${param[1]}`;
      rank.push(1);
    } else {
      source += "/" + seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      pattern += "/" + seg;
      rank.push(0);
    }
  }
  const re = new RegExp(`^${source || "/"}/?$`);
  return {
    pattern: pattern || "/",
    file,
    module,
    layouts: folder.layouts,
    middlewares: folder.middlewares,
    rank,
    match(pathname) {
      const m = re.exec(pathname);
      if (!m) return null;
      const params: Record<string, string> = {};
      names.forEach((n, i) => {
        params[n] = m[i + 1] === undefined ? "" : safeDecode(m[i + 1]);
      });
      return params;
    },
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function compareRank(a: number[], b: number[]): number {
  // A missing segment ranks between a param and a rest segment: "/docs" beats
  // "/docs/[...rest]" (which also matches "/docs"), while "/docs/[id]" is unaffected.
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 1.5, y = b[i] ?? 1.5;
    if (x !== y) return x - y;
  }
  return 0;
}

/** Finds the route for a path. */
export function matchRoute(
  table: RouteTable,
  pathname: string,
): { route: Route; params: Record<string, string> } | null {
  for (const route of table.routes) {
    const params = route.match(pathname);
    if (params) return { route, params };
  }
  return null;
}
