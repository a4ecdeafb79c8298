/**
 * The route module API, shaped like Fresh's so a later move to Fresh is mechanical.
 *
 *   // routes/stores/[id].tsx
 *   export const handler: Handlers<Store> = {
 *     async GET(_req, ctx) {
 *       const store = await findStore(ctx.state.rt.sql, ctx.params.id);
 *       return store ? ctx.render(store) : ctx.renderNotFound();
 *     },
 *   };
 *   export default function StorePage({ data }: PageProps<Store>) { ... }
 *
 * A module may export `handler` (a function, or an object keyed by HTTP method) and/or a
 * default page component. Without a handler, GET renders the page with `data` undefined.
 */
import type { ComponentChildren, JSX } from "preact";
import type { Runtime } from "../runtime.ts";

/** Per-request state, filled by `_middleware.ts` files from the root down. */
export interface State {
  /** The process's shared clients. */
  rt: Runtime;
  // deno-lint-ignore no-explicit-any
  [key: string]: any;
}

/** What a handler and a middleware receive besides the request. */
export interface RouteContext<Data = unknown> {
  params: Record<string, string>;
  state: State;
  url: URL;
  /** Renders the route's page (inside layouts and `_app`) with `data`. */
  render(data?: Data, init?: ResponseInit): Promise<Response>;
  /** Renders `_404` with status 404. */
  renderNotFound(): Promise<Response>;
}

/** A middleware: may answer itself or call `ctx.next()`. */
export interface MiddlewareContext extends RouteContext {
  next(): Promise<Response>;
}

/** A handler function. */
export type Handler<Data = unknown> = (
  req: Request,
  ctx: RouteContext<Data>,
) => Response | Promise<Response>;

/** Handlers keyed by HTTP method. */
export type Handlers<Data = unknown> = Partial<
  Record<"GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS", Handler<Data>>
>;

/** Props of a page component. */
export interface PageProps<Data = unknown> {
  data: Data;
  params: Record<string, string>;
  url: URL;
  state: State;
  /** For `_error.tsx`: what went wrong (never shown raw to users). */
  error?: unknown;
}

/** Props of `_app.tsx` and `_layout.tsx`: the page (or inner layout) as `Component`. */
export interface LayoutProps<Data = unknown> extends PageProps<Data> {
  Component: () => JSX.Element | null;
  children?: ComponentChildren;
}

/** A `_middleware.ts` export: one function or several run in order. */
export type Middleware = (req: Request, ctx: MiddlewareContext) => Response | Promise<Response>;
