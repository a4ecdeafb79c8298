/**
 * The web application: Hono for the outer shell (security headers, island bundles, static
 * files) and the file-system routes from `routes/` for everything else.
 *
 * Tests drive it without a socket: `const app = await createApp(rt); await app.request("/")`.
 */
import { Hono } from "hono";
import type { Runtime } from "../runtime.ts";
import { loadRoutes, matchRoute, type Route, type RouteTable } from "./routes.ts";
import { loadIslands } from "./islands.ts";
import { buildIslands, type Bundle, BUNDLE_PREFIX } from "./bundle.ts";
import { renderPage } from "./render.ts";
import { loadStatic, serveStatic, type StaticFiles } from "./static.ts";
import { securityHeaders } from "./security.ts";
import { HttpError, wantsJson } from "./errors.ts";
import type { Handler, Handlers, MiddlewareContext, RouteContext, State } from "./types.ts";
import { errorMessage, log } from "../log.ts";

/** Where the app's files live (defaults: the project's own folders). */
export interface AppOptions {
  routesDir?: string;
  islandsDir?: string;
  staticDir?: string;
  /** Development: unminified bundles and a reload script. */
  dev?: boolean;
}

/** The app: `fetch` for Deno.serve, `request` for tests. */
export interface App {
  fetch(req: Request): Promise<Response>;
  request(input: string | Request, init?: RequestInit): Promise<Response>;
  routes: RouteTable;
  bundle: Bundle;
}

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
const DEV_RELOAD = "/_dev/reload";

/** Builds the app: scans routes and islands, bundles islands, indexes static files. */
export async function createApp(rt: Runtime, opts: AppOptions = {}): Promise<App> {
  const routesDir = opts.routesDir ?? `${ROOT}/routes`;
  const islands = await loadIslands(opts.islandsDir ?? `${ROOT}/islands`);
  const table = await loadRoutes(routesDir);
  const bundle = await buildIslands(islands, ROOT, opts.dev);
  const statics: StaticFiles = await loadStatic(opts.staticDir ?? `${ROOT}/static`);
  const bootedAt = String(Date.now());

  const hono = new Hono();
  hono.use("*", securityHeaders());
  hono.get(`${BUNDLE_PREFIX}*`, (c) => {
    const file = bundle.files.get(c.req.path);
    if (!file) return c.text("Not found", 404);
    return new Response(file as BodyInit, {
      headers: {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "public, max-age=31536000, immutable",
      },
    });
  });
  if (opts.dev) {
    // The dev task restarts the process on change; the page reloads when the id changes.
    hono.get(DEV_RELOAD, (c) => c.json({ id: bootedAt }, 200, { "cache-control": "no-store" }));
    hono.get(`${DEV_RELOAD}.js`, (c) =>
      c.body(devReloadScript(bootedAt), 200, {
        "content-type": "text/javascript; charset=utf-8",
        "cache-control": "no-store",
      }));
  }
  hono.all("*", async (c) => {
    const req = c.req.raw;
    const url = new URL(req.url);
    if (req.method === "GET" || req.method === "HEAD") {
      const res = await serveStatic(statics, req, url.pathname);
      if (res) return res;
    }
    return await dispatch(req, url, rt, table, bundle, opts.dev ? `${DEV_RELOAD}.js` : undefined);
  });

  const fetch = async (req: Request) => await hono.fetch(req);
  return {
    fetch,
    request: (input, init) =>
      fetch(
        typeof input === "string"
          ? new Request(new URL(input, "http://localhost").href, init)
          : input,
      ),
    routes: table,
    bundle,
  };
}

async function dispatch(
  req: Request,
  url: URL,
  rt: Runtime,
  table: RouteTable,
  bundle: Bundle,
  devScript?: string,
): Promise<Response> {
  const found = matchRoute(table, url.pathname);
  const state: State = { rt };
  const params = found?.params ?? {};
  const route = found?.route;

  const renderWith = (r: Route | undefined, status = 200) =>
  // Async by contract (Fresh's ctx.render returns a promise), though rendering is synchronous.
  // deno-lint-ignore require-await
  async (data?: unknown, init?: ResponseInit): Promise<Response> => {
    const page = r?.module.default ?? table.notFound?.default;
    if (!page) return new Response("Not found", { status: 404 });
    const html = renderPage({
      page,
      layouts: r?.layouts ?? [],
      app: table.app,
      props: { data, params, url, state },
      bundle,
      devScript,
    });
    const headers = new Headers(init?.headers);
    if (!headers.has("content-type")) headers.set("content-type", "text/html; charset=utf-8");
    return new Response(html, { status: init?.status ?? status, headers });
  };
  const renderNotFound = async (): Promise<Response> => {
    if (wantsJson(req, url)) {
      return Response.json({ error: `no such endpoint: ${req.method} ${url.pathname}` }, {
        status: 404,
      });
    }
    const nf = table.notFound;
    const page = nf?.default;
    if (!page) return new Response("Not found", { status: 404 });
    return await renderWith({ ...(route ?? {}), layouts: [], module: nf } as Route, 404)();
  };
  const ctx: RouteContext = {
    params,
    state,
    url,
    render: renderWith(route),
    renderNotFound,
  };

  const final = async (): Promise<Response> => {
    if (!route) return await renderNotFound();
    return await callRoute(req, ctx, route);
  };
  const middlewares = route ? route.middlewares : table.rootMiddlewares;
  try {
    const res = await runMiddlewares(req, ctx, middlewares, final);
    return req.method === "HEAD" ? new Response(null, res) : res;
  } catch (e) {
    return renderError(e, req, url, ctx, table, bundle);
  }
}

function runMiddlewares(
  req: Request,
  ctx: RouteContext,
  chain: RouteTable["rootMiddlewares"],
  final: () => Promise<Response>,
): Promise<Response> {
  const step = async (i: number): Promise<Response> => {
    if (i >= chain.length) return await final();
    const mctx: MiddlewareContext = { ...ctx, next: () => step(i + 1) };
    return await chain[i](req, mctx);
  };
  return step(0);
}

function allowed(route: Route): string[] {
  const h = route.module.handler;
  if (typeof h === "function") return [...METHODS];
  const set = new Set<string>(h ? Object.keys(h) : []);
  if (route.module.default && !h) set.add("GET");
  if (set.has("GET")) set.add("HEAD");
  return METHODS.filter((m) => set.has(m));
}

async function callRoute(req: Request, ctx: RouteContext, route: Route): Promise<Response> {
  const h = route.module.handler;
  if (typeof h === "function") return await (h as Handler)(req, ctx);
  const handlers = (h ?? {}) as Handlers;
  const method = req.method as keyof Handlers;
  const fn = handlers[method] ?? (method === "HEAD" ? handlers.GET : undefined);
  if (fn) return await fn(req, ctx);
  if (!h && route.module.default && (method === "GET" || method === "HEAD")) {
    return await ctx.render(undefined);
  }
  const allow = allowed(route).join(", ");
  return wantsJson(req, ctx.url)
    ? Response.json({ error: `method ${req.method} not allowed; use ${allow}` }, {
      status: 405,
      headers: { allow },
    })
    : new Response(`Method ${req.method} not allowed. Allowed: ${allow}`, {
      status: 405,
      headers: { allow },
    });
}

function renderError(
  e: unknown,
  req: Request,
  url: URL,
  ctx: RouteContext,
  table: RouteTable,
  bundle: Bundle,
): Response {
  const status = e instanceof HttpError ? e.status : 500;
  const message = e instanceof HttpError ? e.message : "Something went wrong on our side.";
  if (status >= 500) {
    log.error("request failed", { method: req.method, path: url.pathname, error: errorMessage(e) });
  }
  if (wantsJson(req, url)) {
    return Response.json({ error: message }, {
      status,
      headers: e instanceof HttpError ? e.headers : undefined,
    });
  }
  const page = table.error?.default;
  if (!page) return new Response(message, { status });
  try {
    const html = renderPage({
      page,
      layouts: [],
      app: table.app,
      props: { data: { status, message }, params: ctx.params, url, state: ctx.state, error: e },
      bundle,
    });
    return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8" } });
  } catch (inner) {
    log.error("error page failed", { error: errorMessage(inner) });
    return new Response(message, { status });
  }
}

function devReloadScript(id: string): string {
  return `const id = ${JSON.stringify(id)};
setInterval(async () => {
  try {
    const r = await fetch(${JSON.stringify(DEV_RELOAD)}, { cache: "no-store" });
    if ((await r.json()).id !== id) location.reload();
  } catch { /* server restarting */ }
}, 700);
`;
}
